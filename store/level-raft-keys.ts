import type { AbstractChainedBatch, AbstractLevel } from 'abstract-level';

/**
 * Where Raft's records live in the replica's one LevelDB (the KV data shares it, so applying an
 * entry and persisting Raft state can go into the same atomic batch).
 */
export const raftSublevelNames = {
  /** Key: 8-byte big-endian index (so LevelDB order is index order). Key 0 holds the compaction base. */
  log: 'raft-log',
  /** Keys: `hard-state`, `snapshot`. */
  state: 'raft-state',
} as const;

export const raftStateKeys = { hardState: 'hard-state', snapshot: 'snapshot' } as const;

/**
 * The replica's database, opened with `{ keyEncoding: 'view', valueEncoding: 'view' }` — the same
 * type as the store's `RootDatabase`, so one batch type serves both.
 */
export type RaftDatabase = AbstractLevel<string | Buffer | Uint8Array, Uint8Array, Uint8Array>;
/** A chained batch on the shared database; sublevel writes go in with `{ sublevel }`. */
export type LevelBatch = AbstractChainedBatch<RaftDatabase, Uint8Array, Uint8Array>;

const logKeyBytes = 8;
/** Key 0 of the log sublevel: entries start at 1, so it sorts first and never collides. */
export const logBaseKeyIndex = 0;

export function logKey(index: number): Uint8Array {
  const key = new Uint8Array(logKeyBytes);
  const view = new DataView(key.buffer);
  view.setUint32(0, Math.floor(index / 2 ** 32));
  view.setUint32(4, index >>> 0);
  return key;
}

/** The inverse of `logKey`; NaN for a key of the wrong length. */
export function logIndexOfKey(key: Uint8Array): number {
  if (key.length !== logKeyBytes) return Number.NaN;
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}
