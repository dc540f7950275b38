import { MemoryLevel } from 'memory-level';
import type { Timers } from '../../common/index.ts';
import { MvccObjectStore } from '../../control-plane/index.ts';
import { MvccStore } from '../../store/index.ts';

export interface MemoryStore {
  readonly store: MvccStore;
  readonly objects: MvccObjectStore;
  close(): Promise<void>;
}

/**
 * The real MvccStore (revisions, compare-and-swap txns, watch from a revision, compaction) on
 * memory-level, abstract-level's in-memory database: the same API classic-level gives the
 * production store, with operations that complete as promise continuations and never touch a
 * file, so their order is deterministic. Watch progress tickers run on the virtual timers.
 */
export async function openMemoryStore(timers: Timers): Promise<MemoryStore> {
  const db = new MemoryLevel<Uint8Array, Uint8Array>({ keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  const store = await MvccStore.open({ db });
  return {
    store,
    objects: new MvccObjectStore(store, timers),
    close: async () => {
      await store.close();
      await db.close();
    },
  };
}
