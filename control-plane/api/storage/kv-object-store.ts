import { ErrorCode, FlotillaError, isFlotillaError, realTimers, type Timers } from '../../../common/index.ts';
import type { Command, MvccStore, TxnResponse } from '../../../store/index.ts';
import type {
  CreateResult, DeleteResult, ListOptions, ListResult, ObjectStore, ObjectWatch, ReservationOptions, StoredObject, UpdateResult, WatchOptions,
} from '../object-store.ts';
import {
  createCommand, createResult, deleteCommand, deleteResult, getRequest, listRequest, listResult, toStoredObject, updateCommand, updateResult, watchRange,
} from './object-commands.ts';
import type { StoreExecutor } from './store-executor.ts';
import { translateWatch } from './watch-translation.ts';

/**
 * The ObjectStore port on the MVCC store, through a `StoreExecutor`. Every write is one txn
 * built by `object-commands.ts`; the executor decides where it runs.
 */
export class KvObjectStore implements ObjectStore {
  constructor(
    protected readonly executor: StoreExecutor,
    private readonly timers: Timers = realTimers,
  ) {}

  currentRevision(): Promise<number> {
    return this.executor.read(async (store) => store.revision);
  }

  async get(key: string, options: { readonly consistency?: 'linearizable' | 'local' } = {}): Promise<StoredObject | null> {
    const read = (store: MvccStore) => store.range(getRequest(key));
    const response = await (options.consistency === 'local' ? this.executor.readLocal(read) : this.executor.read(read));
    const kv = response.kvs[0];
    return kv === undefined ? null : toStoredObject(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    return listResult(await this.executor.read((store) => store.range(listRequest(prefix, options))));
  }

  async create(key: string, value: Uint8Array, reservations: ReservationOptions = {}): Promise<CreateResult> {
    try {
      return createResult(key, value, await this.txn(createCommand(key, value, reservations)), reservations);
    } catch (error) {
      // After a lost leader the write may have applied: our exact bytes (they carry a fresh uid) tell.
      if (!isAmbiguous(error)) throw error;
      const current = await this.get(key);
      if (current !== null && sameBytes(current.value, value)) return { ok: true, object: current };
      throw error;
    }
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number, reservations: ReservationOptions = {}): Promise<UpdateResult> {
    try {
      return updateResult(key, value, expectedModRevision, await this.txn(updateCommand(key, value, expectedModRevision, reservations)), reservations);
    } catch (error) {
      if (!isAmbiguous(error)) throw error;
      const current = await this.get(key);
      if (current !== null && current.modRevision !== expectedModRevision && sameBytes(current.value, value)) return { ok: true, object: current };
      throw error;
    }
  }

  async delete(key: string, expectedModRevision?: number, reservations: Pick<ReservationOptions, 'release'> = {}): Promise<DeleteResult> {
    return deleteResult(await this.txn(deleteCommand(key, expectedModRevision, reservations)));
  }

  watch(prefix: string, options: WatchOptions = {}): ObjectWatch {
    const store = this.executor.watchStore();
    const watcher = store.watch({
      ...watchRange(prefix),
      startRevision: options.fromRevision ?? 0,
      prevKv: true,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const progressIntervalMs = options.progressIntervalMs ?? 0;
    const ticker = progressIntervalMs > 0 ? this.timers.setInterval(() => store.watchHub.requestProgress(watcher.id), progressIntervalMs) : null;
    return translateWatch(watcher, () => ticker?.cancel());
  }

  private async txn(value: Command): Promise<TxnResponse> {
    const response = await this.executor.execute(value);
    if (response.type !== 'txn') throw new FlotillaError(ErrorCode.storeCorrupt, `a txn answered ${response.type}`);
    return response.response;
  }
}

/** Raft's "leadership lost; the outcome of this proposal is unknown". */
export function isAmbiguous(error: unknown): boolean {
  return isFlotillaError(error, ErrorCode.raftNotLeader) && error.details['outcome'] === 'unknown';
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && Buffer.from(left.buffer, left.byteOffset, left.length).equals(Buffer.from(right.buffer, right.byteOffset, right.length));
}
