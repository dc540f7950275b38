import { ErrorCode, FlotillaError, isFlotillaError, type Env } from '../../common/index.ts';
import { commandErrorToFlotillaError, encodeCommand, type Command, type CommandResponse, type MvccStore, type Replica } from '../../store/index.ts';
import { KvObjectStore } from './storage/kv-object-store.ts';
import type { StoreExecutor } from './storage/store-executor.ts';

/** Named limits of the replicated executor. */
export const ReplicatedStoreLimits = {
  /** How long a write or read keeps retrying while there is no leader (an election takes ~0.3–1.2 s). */
  retryDeadlineMs: 10_000,
  /** First pause between retries; doubles up to `retryDelayMaxMs`. */
  retryDelayMinMs: 25,
  retryDelayMaxMs: 500,
  /** Bound on one proposal or ReadIndex round trip. */
  requestTimeoutMs: 5_000,
} as const;

/**
 * The store is answered by Raft: writes are proposed (any replica; followers forward to the
 * leader), reads wait for a ReadIndex and then read the local store (linearizable), watches are
 * the local store's applied stream. While there is no leader (elections, a killed leader), a
 * refusal that certainly did not append the command is retried up to `retryDeadlineMs`; an
 * ambiguous outcome is not retried here (KvObjectStore reads back create/update to settle it).
 */
class ReplicaExecutor implements StoreExecutor {
  constructor(
    private readonly replica: Replica,
    private readonly env: Env,
  ) {}

  async execute(value: Command): Promise<CommandResponse> {
    const data = encodeCommand(value);
    const result = await this.retrying(() => this.replica.propose(data, { timeoutMs: ReplicatedStoreLimits.requestTimeoutMs }));
    if (result.kind !== 'store') throw new FlotillaError(ErrorCode.storeCorrupt, `a ${value.type} proposal produced a directory result`);
    if (!result.outcome.ok) throw commandErrorToFlotillaError(result.outcome.error);
    return result.outcome.response;
  }

  async read<T>(run: (store: MvccStore) => Promise<T>): Promise<T> {
    await this.retrying(() => this.replica.readIndex({ timeoutMs: ReplicatedStoreLimits.requestTimeoutMs }));
    return this.replica.read(run);
  }

  readLocal<T>(run: (store: MvccStore) => Promise<T>): Promise<T> {
    return this.replica.read(run);
  }

  watchStore(): MvccStore {
    return this.replica.store;
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = this.env.clock.nowMs() + ReplicatedStoreLimits.retryDeadlineMs;
    let delayMs: number = ReplicatedStoreLimits.retryDelayMinMs;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!isRetryable(error) || this.env.clock.nowMs() + delayMs > deadline) throw error;
      }
      await new Promise<void>((resolve) => this.env.timers.setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, ReplicatedStoreLimits.retryDelayMaxMs);
    }
  }
}

/** Refusals that say the command was not appended anywhere: safe to send again. */
function isRetryable(error: unknown): boolean {
  if (isFlotillaError(error, ErrorCode.raftNotLeader)) return error.details['outcome'] !== 'unknown';
  return isFlotillaError(error, ErrorCode.raftTransferInProgress) || isFlotillaError(error, ErrorCode.raftUncommittedLimit);
}

/** The ObjectStore port over a Raft replica: the same commands as `MvccObjectStore`, proposed through Raft. */
export class ReplicatedObjectStore extends KvObjectStore {
  constructor(replica: Replica, env: Env) {
    super(new ReplicaExecutor(replica, env), env.timers);
  }
}
