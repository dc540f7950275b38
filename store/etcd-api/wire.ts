/**
 * The shapes @grpc/proto-loader produces and accepts with our options (see proto.ts): field names
 * as in the .proto (keepCase), int64/uint64 as decimal strings (longs: String, so no precision is
 * lost on uint64 member IDs), enums as their names (an unknown number stays a number), bytes as
 * Buffer, every scalar present (defaults), and a set oneof named by its group field (oneofs).
 * Only what we read or write is typed; protobufjs guarantees the decoded shape.
 */

/** int64/uint64 as decoded; we may encode a number or a string. */
export type WireInt64 = string;
export type WireInt64Out = string | number;
export type WireEnum = string | number;

export interface WireRangeRequest {
  key: Buffer;
  range_end: Buffer;
  limit: WireInt64;
  revision: WireInt64;
  sort_order: WireEnum;
  sort_target: WireEnum;
  serializable: boolean;
  keys_only: boolean;
  count_only: boolean;
  min_mod_revision: WireInt64;
  max_mod_revision: WireInt64;
  min_create_revision: WireInt64;
  max_create_revision: WireInt64;
}

export interface WirePutRequest {
  key: Buffer;
  value: Buffer;
  lease: WireInt64;
  prev_kv: boolean;
  ignore_value: boolean;
  ignore_lease: boolean;
}

export interface WireDeleteRangeRequest {
  key: Buffer;
  range_end: Buffer;
  prev_kv: boolean;
}

export interface WireRequestOp {
  request?: 'request_range' | 'request_put' | 'request_delete_range' | 'request_txn';
  request_range?: WireRangeRequest;
  request_put?: WirePutRequest;
  request_delete_range?: WireDeleteRangeRequest;
  request_txn?: WireTxnRequest;
}

export interface WireCompare {
  result: WireEnum;
  target: WireEnum;
  key: Buffer;
  range_end: Buffer;
  target_union?: 'version' | 'create_revision' | 'mod_revision' | 'value' | 'lease';
  version?: WireInt64;
  create_revision?: WireInt64;
  mod_revision?: WireInt64;
  value?: Buffer;
  lease?: WireInt64;
}

export interface WireTxnRequest {
  compare: WireCompare[];
  success: WireRequestOp[];
  failure: WireRequestOp[];
}

export interface WireCompactionRequest {
  revision: WireInt64;
  physical: boolean;
}

export interface WireWatchCreateRequest {
  key: Buffer;
  range_end: Buffer;
  start_revision: WireInt64;
  progress_notify: boolean;
  filters: WireEnum[];
  prev_kv: boolean;
  watch_id: WireInt64;
  fragment: boolean;
}

export interface WireWatchRequest {
  request_union?: 'create_request' | 'cancel_request' | 'progress_request';
  create_request?: WireWatchCreateRequest;
  cancel_request?: { watch_id: WireInt64 };
  progress_request?: Record<string, never>;
}

export interface WireLeaseGrantRequest {
  TTL: WireInt64;
  ID: WireInt64;
}

export interface WireLeaseIdRequest {
  ID: WireInt64;
}

export interface WireLeaseTimeToLiveRequest {
  ID: WireInt64;
  keys: boolean;
}

export interface WireMemberAddRequest {
  peerURLs: string[];
  isLearner: boolean;
}

export interface WireMemberIdRequest {
  ID: WireInt64;
}

export interface WireAlarmRequest {
  action: WireEnum;
  memberID: WireInt64;
  alarm: WireEnum;
}

// ---- Outgoing ----

export interface WireResponseHeader {
  cluster_id?: WireInt64Out;
  member_id?: WireInt64Out;
  revision: WireInt64Out;
  raft_term?: WireInt64Out;
}

export interface WireKeyValue {
  key: Uint8Array;
  create_revision: WireInt64Out;
  mod_revision: WireInt64Out;
  version: WireInt64Out;
  value: Uint8Array;
  lease: WireInt64Out;
}

export interface WireEvent {
  type: 'PUT' | 'DELETE';
  kv: WireKeyValue;
  prev_kv: WireKeyValue | null;
}

export interface WireRangeResponse {
  header: WireResponseHeader;
  kvs: WireKeyValue[];
  more: boolean;
  count: WireInt64Out;
}

export interface WirePutResponse {
  header: WireResponseHeader;
  prev_kv: WireKeyValue | null;
}

export interface WireDeleteRangeResponse {
  header: WireResponseHeader;
  deleted: WireInt64Out;
  prev_kvs: WireKeyValue[];
}

export interface WireResponseOp {
  response_range?: WireRangeResponse;
  response_put?: WirePutResponse;
  response_delete_range?: WireDeleteRangeResponse;
  response_txn?: WireTxnResponse;
}

export interface WireTxnResponse {
  header: WireResponseHeader;
  succeeded: boolean;
  responses: WireResponseOp[];
}

export interface WireWatchResponse {
  header: WireResponseHeader;
  watch_id: WireInt64Out;
  created: boolean;
  canceled: boolean;
  compact_revision: WireInt64Out;
  cancel_reason: string;
  events: WireEvent[];
}

export interface WireMember {
  ID: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}
