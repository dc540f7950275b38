import { ErrorCode, FlotillaError, realTimers, type Timers } from '../../common/index.ts';
import { command, encodeCommand, type Command, type CommandResponse, type MvccStore } from '../../store/index.ts';
import { KvObjectStore } from './storage/kv-object-store.ts';
import type { StoreExecutor } from './storage/store-executor.ts';

/**
 * Applies commands to one in-process MvccStore as the next log entries: a single replica has
 * nothing to agree with. Reads go straight to the store.
 */
class LocalExecutor implements StoreExecutor {
  private nextIndex: number;

  constructor(private readonly store: MvccStore) {
    this.nextIndex = store.appliedIndex + 1;
  }

  async execute(value: Command): Promise<CommandResponse> {
    const index = this.nextIndex++;
    const data = encodeCommand(value);
    const outcomes = await this.store.apply([{ type: 'normal', term: Math.max(1, this.store.appliedTerm), index, data }]);
    const outcome = outcomes.get(index);
    if (outcome === undefined) throw new FlotillaError(ErrorCode.storeCorrupt, `entry ${index} was not applied`);
    if (!outcome.ok) throw new FlotillaError(outcome.error.code, outcome.error.message);
    return outcome.response;
  }

  read<T>(run: (store: MvccStore) => Promise<T>): Promise<T> {
    return run(this.store);
  }

  readLocal<T>(run: (store: MvccStore) => Promise<T>): Promise<T> {
    return run(this.store);
  }

  watchStore(): MvccStore {
    return this.store;
  }
}

/** The ObjectStore port on one in-process MvccStore (tests, single-process use). `ReplicatedObjectStore` is its Raft twin. */
export class MvccObjectStore extends KvObjectStore {
  private readonly local: LocalExecutor;

  constructor(
    private readonly store: MvccStore,
    timers: Timers = realTimers,
  ) {
    const local = new LocalExecutor(store);
    super(local, timers);
    this.local = local;
  }

  /** Drops history below `revision` (not part of the port: compaction is the store owner's job; tests use it). */
  async compact(revision: number): Promise<void> {
    await this.local.execute(command.compact(revision));
    await this.store.whenCompacted();
  }
}
