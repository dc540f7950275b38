/**
 * The store's data model and its etcd-v3-like requests and responses. Keys and values are bytes.
 * Everything here is plain data: commands travel in Raft entries as msgpack (see commands.ts).
 */

export interface KeyValue {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** Revision of the put that created this incarnation of the key (0 on a delete event). */
  readonly createRevision: number;
  /** Revision of the last write to the key. */
  readonly modRevision: number;
  /** Writes since creation: 1 on create, reset by delete (0 on a delete event). */
  readonly version: number;
  /** Lease the key is attached to, 0 for none. */
  readonly lease: number;
}

export interface ResponseHeader {
  /** The store revision when the request was served (after its writes, for a write). */
  readonly revision: number;
}

// ---------------------------------------------------------------------------------------------
// Range

export const SortOrder = { none: 'none', ascend: 'ascend', descend: 'descend' } as const;
export type SortOrder = (typeof SortOrder)[keyof typeof SortOrder];

export const SortTarget = { key: 'key', version: 'version', create: 'create', mod: 'mod', value: 'value' } as const;
export type SortTarget = (typeof SortTarget)[keyof typeof SortTarget];

export interface RangeRequest {
  readonly key: Uint8Array;
  /** Empty or absent: the single key. `[0]`: every key >= key. Otherwise [key, rangeEnd). */
  readonly rangeEnd?: Uint8Array;
  /** At most this many kvs (0 = no limit); `more` says whether some were left out. */
  readonly limit?: number;
  /** Read the state as of this revision (0 = current). */
  readonly revision?: number;
  readonly sortOrder?: SortOrder;
  readonly sortTarget?: SortTarget;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  /** Filters (0 = off); like etcd they do not change `count`, which counts the whole range. */
  readonly minModRevision?: number;
  readonly maxModRevision?: number;
  readonly minCreateRevision?: number;
  readonly maxCreateRevision?: number;
}

export interface RangeResponse {
  readonly header: ResponseHeader;
  readonly kvs: readonly KeyValue[];
  readonly more: boolean;
  /** Keys in the range at the read revision, before limit and filters. */
  readonly count: number;
}

// ---------------------------------------------------------------------------------------------
// Writes

export interface PutRequest {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly lease: number;
  readonly prevKv: boolean;
  /** Keep the current value (the key must exist). */
  readonly ignoreValue: boolean;
  /** Keep the current lease (the key must exist). */
  readonly ignoreLease: boolean;
}

export interface PutResponse {
  readonly header: ResponseHeader;
  readonly prevKv: KeyValue | null;
}

export interface DeleteRangeRequest {
  readonly key: Uint8Array;
  /** Same conventions as RangeRequest.rangeEnd; empty means the single key. */
  readonly rangeEnd: Uint8Array;
  readonly prevKv: boolean;
}

export interface DeleteRangeResponse {
  readonly header: ResponseHeader;
  readonly deleted: number;
  readonly prevKvs: readonly KeyValue[];
}

// ---------------------------------------------------------------------------------------------
// Txn

export const CompareResult = { equal: 'equal', notEqual: 'notEqual', less: 'less', greater: 'greater' } as const;
export type CompareResult = (typeof CompareResult)[keyof typeof CompareResult];

export type CompareTarget =
  | { readonly target: 'value'; readonly value: Uint8Array }
  | { readonly target: 'version'; readonly version: number }
  | { readonly target: 'create'; readonly createRevision: number }
  | { readonly target: 'mod'; readonly modRevision: number }
  | { readonly target: 'lease'; readonly lease: number };

/**
 * Compares every key in [key, rangeEnd) (one key when rangeEnd is empty). A missing key has
 * version, create, mod and lease 0; a value compare on a missing key is false (as etcd).
 */
export type Compare = {
  readonly key: Uint8Array;
  readonly rangeEnd: Uint8Array;
  readonly result: CompareResult;
} & CompareTarget;

export type RequestOp =
  | { readonly type: 'range'; readonly request: RangeRequest }
  | { readonly type: 'put'; readonly request: PutRequest }
  | { readonly type: 'deleteRange'; readonly request: DeleteRangeRequest }
  | { readonly type: 'txn'; readonly request: TxnRequest };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly RequestOp[];
  readonly failure: readonly RequestOp[];
}

export type ResponseOp =
  | { readonly type: 'range'; readonly response: RangeResponse }
  | { readonly type: 'put'; readonly response: PutResponse }
  | { readonly type: 'deleteRange'; readonly response: DeleteRangeResponse }
  | { readonly type: 'txn'; readonly response: TxnResponse };

export interface TxnResponse {
  readonly header: ResponseHeader;
  readonly succeeded: boolean;
  readonly responses: readonly ResponseOp[];
}

// ---------------------------------------------------------------------------------------------
// Compaction and leases

export interface CompactResponse {
  readonly header: ResponseHeader;
}

export interface LeaseGrantResponse {
  readonly header: ResponseHeader;
  readonly id: number;
  readonly ttlSeconds: number;
}

export interface LeaseRevokeResponse {
  readonly header: ResponseHeader;
  readonly id: number;
}

export interface LeaseExpireResponse {
  readonly header: ResponseHeader;
  /** Leases actually revoked (ids already gone are skipped: a keepalive race or an earlier revoke). */
  readonly revoked: readonly number[];
}

export interface LeaseInfo {
  readonly id: number;
  readonly ttlSeconds: number;
  /** Store revision when the lease was granted (a grant does not bump the revision). */
  readonly grantedRevision: number;
}

export interface LeaseTimeToLive extends LeaseInfo {
  /** Attached keys in key order; empty unless asked for. */
  readonly keys: readonly Uint8Array[];
}

export interface HashKvResult {
  /** Hex SHA-256 over the retained history up to `revision` (see hash-kv.ts for exactly what). */
  readonly hash: string;
  /** Hex SHA-256 over the lease table. */
  readonly leasesHash: string;
  readonly revision: number;
  readonly compactRevision: number;
  readonly appliedIndex: number;
}
