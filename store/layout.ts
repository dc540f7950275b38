import type { AbstractChainedBatch, AbstractLevel, AbstractSnapshot, AbstractSublevel } from 'abstract-level';
import { decode, encode } from '../common/index.ts';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import type { KeyValue } from './types.ts';

/**
 * Where the store keeps its data inside the replica's one LevelDB. The Raft log storage lives in
 * other sublevels of the same database, so one batch can carry both (see README "Batch contract").
 *
 *   [namespace, 'kv']    revision key (12 bytes, see keys.ts) → StoredRecord  — the history, the only truth
 *   [namespace, 'lease'] lease id (8 bytes)                   → StoredLease
 *   [namespace, 'meta']  'state'                              → StoredMeta    — written in every apply batch
 */
/**
 * The replica's database, opened with `{ keyEncoding: 'view', valueEncoding: 'view' }` (bytes in,
 * bytes out: the store's sublevels set their own encodings, but the type of the root fixes how a
 * shared batch is typed).
 */
export type RootDatabase = AbstractLevel<string | Buffer | Uint8Array, Uint8Array, Uint8Array>;
export type BytesSublevel = AbstractSublevel<RootDatabase, string | Buffer | Uint8Array, Uint8Array, Uint8Array>;
/** A chained batch on the root database; the store adds its writes with `{ sublevel }`. */
export type StoreBatch = AbstractChainedBatch<RootDatabase, Uint8Array, Uint8Array>;
export type DatabaseSnapshot = AbstractSnapshot;

export const defaultNamespace = 'store';
export const formatVersion = 1;

/** One history entry: the key as the write left it (a KeyValue), and whether the write was a delete. */
export interface StoredRecord extends KeyValue {
  /** A delete: value empty, createRevision, version and lease 0. */
  readonly tombstone: boolean;
}

export interface StoredLease {
  readonly id: number;
  readonly ttlSeconds: number;
  readonly grantedRevision: number;
}

export interface StoredMeta {
  readonly formatVersion: number;
  readonly appliedIndex: number;
  readonly appliedTerm: number;
  /** The latest store revision (it survives compaction even if every key was deleted). */
  readonly revision: number;
  readonly compactRevision: number;
}

/** etcd starts at revision 1 with an empty store; the first write is revision 2. */
export const emptyMeta: StoredMeta = { formatVersion, appliedIndex: 0, appliedTerm: 0, revision: 1, compactRevision: 0 };

export const metaStateKey = new TextEncoder().encode('state');

export interface StoreLayout {
  readonly root: RootDatabase;
  readonly kv: BytesSublevel;
  readonly lease: BytesSublevel;
  readonly meta: BytesSublevel;
}

const bytesEncodings = { keyEncoding: 'view', valueEncoding: 'view' } as const;

export function openLayout(root: RootDatabase, namespace: string = defaultNamespace): StoreLayout {
  return {
    root,
    kv: root.sublevel<Uint8Array, Uint8Array>([namespace, 'kv'], bytesEncodings),
    lease: root.sublevel<Uint8Array, Uint8Array>([namespace, 'lease'], bytesEncodings),
    meta: root.sublevel<Uint8Array, Uint8Array>([namespace, 'meta'], bytesEncodings),
  };
}

/** Field order is fixed here so that equal records encode to equal bytes (hashKv relies on it). */
export function encodeRecord(record: StoredRecord): Uint8Array {
  return encode({
    key: record.key,
    value: record.value,
    createRevision: record.createRevision,
    modRevision: record.modRevision,
    version: record.version,
    lease: record.lease,
    tombstone: record.tombstone,
  });
}

export function decodeRecord(bytes: Uint8Array): StoredRecord {
  const record = decode<StoredRecord>(bytes);
  if (!(record.key instanceof Uint8Array) || !(record.value instanceof Uint8Array) || typeof record.modRevision !== 'number') {
    throw new FlotillaError(ErrorCode.storeCorrupt, 'malformed history record');
  }
  // msgpack yields Buffers; callers get plain Uint8Array views (no copy) as the types promise.
  return { ...record, key: plainBytes(record.key), value: plainBytes(record.value) };
}

function plainBytes(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeLease(lease: StoredLease): Uint8Array {
  return encode({ id: lease.id, ttlSeconds: lease.ttlSeconds, grantedRevision: lease.grantedRevision });
}

export function decodeLease(bytes: Uint8Array): StoredLease {
  const lease = decode<StoredLease>(bytes);
  if (typeof lease.id !== 'number' || typeof lease.ttlSeconds !== 'number') throw new FlotillaError(ErrorCode.storeCorrupt, 'malformed lease record');
  return lease;
}

export function encodeMeta(meta: StoredMeta): Uint8Array {
  return encode({
    formatVersion: meta.formatVersion,
    appliedIndex: meta.appliedIndex,
    appliedTerm: meta.appliedTerm,
    revision: meta.revision,
    compactRevision: meta.compactRevision,
  });
}

export function decodeMeta(bytes: Uint8Array | undefined): StoredMeta {
  if (bytes === undefined) return emptyMeta;
  const meta = decode<StoredMeta>(bytes);
  if (meta.formatVersion !== formatVersion) {
    throw new FlotillaError(ErrorCode.storeCorrupt, `store format ${String(meta.formatVersion)}, expected ${formatVersion}`);
  }
  return meta;
}

export async function readMeta(layout: StoreLayout, snapshot?: DatabaseSnapshot): Promise<StoredMeta> {
  const bytes = snapshot === undefined ? await layout.meta.get(metaStateKey) : await layout.meta.get(metaStateKey, { snapshot });
  return decodeMeta(bytes);
}
