import { ErrorCode, FlotillaError, type Env, type TimerHandle } from '../common/index.ts';
import type { Entry, ProposalRefusal } from './types.ts';

/** How a caller bounds a wait: an abort signal, a timeout, or both (the node's default timeout otherwise). */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export function stoppedError(): FlotillaError {
  return new FlotillaError(ErrorCode.raftStopped, 'the raft node is stopped');
}

/** Maps a core refusal to the operating error callers see. Codes are API. */
export function refusalError(refusal: ProposalRefusal): FlotillaError {
  switch (refusal.code) {
    case 'RAFT_NOT_LEADER':
      return new FlotillaError(ErrorCode.raftNotLeader, 'not the leader', { details: { leaderHint: refusal.leaderHint } });
    case 'RAFT_TRANSFER_IN_PROGRESS':
      return new FlotillaError(ErrorCode.raftTransferInProgress, 'leadership transfer in progress', { details: { transferee: refusal.transferee } });
    case 'RAFT_PROPOSAL_TOO_LARGE':
      return new FlotillaError(ErrorCode.raftProposalTooLarge, 'proposal too large', { details: { ...refusal } });
    case 'RAFT_UNCOMMITTED_LIMIT':
      return new FlotillaError(ErrorCode.raftUncommittedLimit, 'too many uncommitted bytes; retry later', { details: { ...refusal } });
    case 'RAFT_MEMBERSHIP_CHANGE_PENDING':
      return new FlotillaError(ErrorCode.raftMembershipChangePending, 'a membership change is already pending');
    case 'RAFT_INVALID_MEMBERSHIP_CHANGE':
      return new FlotillaError(ErrorCode.raftInvalidMembershipChange, refusal.reason, { details: { reason: refusal.reason } });
    case 'RAFT_READ_QUEUE_FULL':
      // common/errors.ts has no read-queue code yet; this is the same back-pressure ("retry later") class.
      return new FlotillaError(ErrorCode.raftUncommittedLimit, 'too many pending reads; retry later', { details: { ...refusal } });
  }
}

/** Back-pressure from the driver's own bounded maps and queues. */
export function queueFullError(what: string, limit: number): FlotillaError {
  return new FlotillaError(ErrorCode.raftUncommittedLimit, `too many ${what}; retry later`, { details: { limit } });
}

/**
 * One caller waiting on the node: settles exactly once, by result, error, timeout or abort, and
 * cleans up its timer and abort listener when it does. `detach` (set by whoever tracks it) removes
 * it from that tracker on timeout or abort, so maps do not keep dead waiters.
 */
export class Waiter<T> {
  private settled = false;
  private readonly timer: TimerHandle;
  private readonly onAbort: () => void;
  private readonly signal: AbortSignal | undefined;
  detach: () => void = () => undefined;

  constructor(
    env: Env,
    options: RequestOptions,
    defaultTimeoutMs: number,
    private readonly resolveCallback: (value: T) => void,
    private readonly rejectCallback: (error: unknown) => void,
  ) {
    const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.timer = env.timers.setTimeout(
      () => this.expire(new FlotillaError(ErrorCode.raftTimeout, `no outcome within ${timeoutMs} ms`, { details: { timeoutMs } })),
      timeoutMs,
    );
    this.onAbort = () => this.expire(new FlotillaError(ErrorCode.raftTimeout, 'aborted by the caller', { cause: options.signal?.reason }));
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.signal = options.signal;
    if (options.signal?.aborted === true) this.onAbort();
  }

  get done(): boolean {
    return this.settled;
  }

  resolve(value: T): void {
    if (this.finish()) this.resolveCallback(value);
  }

  reject(error: unknown): void {
    if (this.finish()) this.rejectCallback(error);
  }

  private expire(error: FlotillaError): void {
    if (this.settled) return;
    this.detach();
    this.reject(error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.timer.cancel();
    this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }
}

/** How a pending proposal is settled: with the state machine's result for its index (if any), or an error. */
export interface ProposalSettler<Result> {
  resolve(index: number, result: Result | undefined): void;
  reject(error: unknown): void;
}

interface PendingProposal<Result> {
  readonly term: number;
  readonly settler: ProposalSettler<Result>;
}

/**
 * Proposals appended to the local log and waiting for their entry to be applied. An entry at the
 * same index with another term means a new leader overwrote ours: that proposal failed for sure.
 */
export class PendingProposals<Result> {
  private readonly byIndex = new Map<number, PendingProposal<Result>>();

  get size(): number {
    return this.byIndex.size;
  }

  /** Tracks a proposal; returns how to forget it (on timeout or abort). */
  add(index: number, term: number, settler: ProposalSettler<Result>): () => void {
    this.byIndex.set(index, { term, settler });
    return () => this.byIndex.delete(index);
  }

  /** Entries were applied with these outcomes (keyed by index). */
  settleApplied(entries: readonly Entry[], outcomes: ReadonlyMap<number, Result>): void {
    if (this.byIndex.size === 0) return;
    for (const entry of entries) {
      const pending = this.byIndex.get(entry.index);
      if (pending === undefined) continue;
      this.byIndex.delete(entry.index);
      if (pending.term === entry.term) pending.settler.resolve(entry.index, outcomes.get(entry.index));
      else pending.settler.reject(overwrittenError(entry.index, pending.term, entry.term));
    }
  }

  /** `entries` replace the log from `entries[0].index` on: fail every proposal they do not carry. */
  settleOverwritten(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined || this.byIndex.size === 0) return;
    for (const [index, pending] of this.byIndex) {
      if (index < first.index) continue;
      const replacement = entries[index - first.index];
      if (replacement !== undefined && replacement.term === pending.term) continue;
      this.byIndex.delete(index);
      pending.settler.reject(overwrittenError(index, pending.term, replacement?.term ?? null));
    }
  }

  /** A snapshot from the leader covers these indexes: whether ours committed cannot be told any more. */
  settleCoveredBySnapshot(snapshotIndex: number): void {
    for (const [index, pending] of this.byIndex) {
      if (index > snapshotIndex) continue;
      this.byIndex.delete(index);
      pending.settler.reject(unknownOutcomeError(index));
    }
  }

  rejectAll(error: unknown): void {
    for (const pending of this.byIndex.values()) pending.settler.reject(error);
    this.byIndex.clear();
  }
}

/** The proposal may or may not have been committed; the caller must not assume either. */
export function unknownOutcomeError(index: number | null): FlotillaError {
  return new FlotillaError(ErrorCode.raftNotLeader, 'leadership lost; the outcome of this proposal is unknown', {
    details: { index, outcome: 'unknown' },
  });
}

function overwrittenError(index: number, term: number, replacementTerm: number | null): FlotillaError {
  return new FlotillaError(ErrorCode.raftNotLeader, 'leadership lost; the proposal was overwritten by a new leader', {
    details: { index, term, replacementTerm, outcome: 'failed' },
  });
}
