import type { MvccStore } from '../mvcc-store.ts';
import type { HashKvResponse } from './backend.ts';

/**
 * HashKV as etcd clients see it: a uint32 over the KV history up to `revision`. We fold the
 * store's SHA-256 (first 4 bytes), which is equal on every replica that applied the same log.
 */
export async function hashKvResponse(store: MvccStore, revision: number): Promise<HashKvResponse> {
  const result = await store.hashKv(revision > 0 ? revision : undefined);
  return {
    header: { revision: result.revision },
    hash: Number.parseInt(result.hash.slice(0, 8), 16) >>> 0,
    compactRevision: result.compactRevision,
  };
}
