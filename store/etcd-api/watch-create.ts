import { Buffer } from 'node:buffer';
import type { Bytes, WatchRequest } from './backend.ts';
import { int64ToNumber } from './numbers.ts';
import type { WireWatchCreateRequest } from './wire.ts';

/** A decoded WatchCreateRequest: what the backend watches, and what the stream does itself. */
export interface WatchCreate {
  readonly request: WatchRequest;
  /** 0 = let the stream choose. */
  readonly watchId: number;
  readonly progressNotify: boolean;
  /** etcd's server-side filters (NOPUT, NODELETE) are applied by the stream, not the backend. */
  readonly filterPut: boolean;
  readonly filterDelete: boolean;
}

export function decodeWatchCreate(wire: WireWatchCreateRequest): WatchCreate {
  return {
    request: {
      key: wire.key,
      rangeEnd: wire.range_end,
      startRevision: Math.max(0, int64ToNumber(wire.start_revision)),
      prevKv: wire.prev_kv,
    },
    watchId: int64ToNumber(wire.watch_id),
    progressNotify: wire.progress_notify,
    filterPut: wire.filters.includes('NOPUT'),
    filterDelete: wire.filters.includes('NODELETE'),
  };
}

/** False for etcd's "watcher range is empty": a range_end that is not after the key. */
export function checkWatchRange(key: Bytes, rangeEnd: Bytes): boolean {
  if (rangeEnd.length === 0) return true;
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return true;
  return Buffer.compare(key, rangeEnd) < 0;
}
