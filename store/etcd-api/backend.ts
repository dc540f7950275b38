/**
 * The port between the etcd v3 gRPC API and whatever serves it. The gRPC layer decodes, validates
 * and maps errors; a backend applies requests. Two backends implement it: `local-backend.ts`
 * (standalone single member: the MVCC store, no Raft) and the replicated backend over Raft.
 *
 * Conventions, chosen so that a backend never sees protobuf:
 * - Keys and values are `Uint8Array` (etcd keys are bytes, not strings).
 * - Revisions, versions, TTLs and lease IDs are `number`. Revisions stay far below 2^53. Lease IDs
 *   are chosen by Flotilla and kept in [1, 2^53); a client-supplied ID outside that range never
 *   reaches a backend (the API answers "lease not found" or INVALID_ARGUMENT instead).
 * - Cluster and member IDs are `bigint`: they are uint64 in etcd and tools print them in hex.
 * - The KV shapes are the store's own request/response types (store/types.ts), re-exported, so
 *   the store's values pass through unconverted.
 * - Failures are thrown as `FlotillaError` (common/errors.ts); `etcd-errors.ts` maps their codes to
 *   etcd's gRPC statuses. Conditions that have no FlotillaError code (member not found, ...) are
 *   thrown with `etcdBackendError(kind)` from `etcd-errors.ts`.
 */

import type { StoreSnapshotStream } from '../snapshot.ts';

export type Bytes = Uint8Array;

/**
 * What a response knows about when it was served: the store revision after its writes (reads:
 * the revision they observed). Cluster and member IDs come from `identity()`, the Raft term from
 * `localHeader()` when the response is sent.
 */
export interface HeaderInfo {
  readonly revision: number;
}

/** The state of this member right now, without waiting. */
export interface LocalHeader {
  readonly revision: number;
  readonly raftTerm: number;
}

export interface MemberIdentity {
  readonly clusterId: bigint;
  readonly memberId: bigint;
}

// The KV request and response shapes are the store's own, so its values pass through unconverted.
export type {
  KeyValue,
  SortOrder,
  SortTarget,
  RangeRequest,
  RangeResponse,
  PutRequest,
  PutResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  CompareResult,
  CompareTarget,
  Compare,
  RequestOp,
  TxnRequest,
  ResponseOp,
  TxnResponse,
} from '../types.ts';
import type { DeleteRangeRequest, DeleteRangeResponse, KeyValue, PutRequest, PutResponse, RangeRequest, RangeResponse, TxnRequest, TxnResponse } from '../types.ts';

export interface CompactRequest {
  readonly revision: number;
  /** Wait until the compaction is applied locally (ours always is when the call returns). */
  readonly physical: boolean;
}

export interface CompactResponse {
  readonly header: HeaderInfo;
}

// ---- Watch ----

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  /** Delete: the key, with `modRevision` = the deletion's revision and the other fields zero. */
  readonly kv: KeyValue;
  /** The pair before the event, when `prevKv` was asked for and is still retained; else null. */
  readonly prevKv: KeyValue | null;
}

export interface WatchRequest {
  readonly key: Bytes;
  readonly rangeEnd: Bytes;
  /** Inclusive; 0 = from the next revision. */
  readonly startRevision: number;
  readonly prevKv: boolean;
}

/**
 * Called by the backend, in revision order, never re-entrantly. Exactly one of `onCompacted` or
 * `onClosed` ends a subscription from the backend's side; after it, nothing more is delivered.
 */
export interface WatchListener {
  /** Events of one revision (or of consecutive revisions), oldest first. */
  onEvents(events: readonly WatchEvent[]): void;
  /** The start revision (or a revision the watcher still needed) was compacted away. */
  onCompacted(compactRevision: number): void;
  /** Cut off (fell too far behind, backend stopping). `reason` goes to the client as cancel_reason. */
  onClosed(reason: string): void;
}

export interface WatchSubscription {
  /**
   * Every event with a revision <= the answer has been passed to the listener; null while the
   * watcher is still catching up from an old revision. Progress notifications use it: a client
   * treats a progress revision as "nothing older is still coming".
   */
  syncedRevision(): number | null;
  /** Idempotent; nothing is delivered after it returns. */
  cancel(): void;
}

export interface WatchStart {
  /** The revision when the watch was created: the header of etcd's `created` response. */
  readonly header: HeaderInfo;
  readonly subscription: WatchSubscription;
}

// ---- Lease ----

export interface LeaseGrantRequest {
  readonly ttlSeconds: number;
  /** 0 = the backend chooses. */
  readonly id: number;
}

export interface LeaseGrantResponse {
  readonly header: HeaderInfo;
  readonly id: number;
  /** The TTL the backend granted (it may raise a too-short TTL to its minimum). */
  readonly ttlSeconds: number;
}

export interface LeaseKeepAliveResponse {
  readonly header: HeaderInfo;
  readonly id: number;
  readonly ttlSeconds: number;
}

export interface LeaseTimeToLiveResponse {
  readonly header: HeaderInfo;
  readonly id: number;
  /** Remaining whole seconds. */
  readonly ttlSeconds: number;
  readonly grantedTtlSeconds: number;
  /** Attached keys, only when asked for. */
  readonly keys: readonly Bytes[];
}

export interface LeaseLeasesResponse {
  readonly header: HeaderInfo;
  readonly ids: readonly number[];
}

// ---- Cluster and maintenance ----

export interface Member {
  readonly id: bigint;
  /** Empty while the member has not started. */
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

export interface MembersResponse {
  readonly header: HeaderInfo;
  readonly members: readonly Member[];
}

export interface MemberAddResponse extends MembersResponse {
  readonly member: Member;
}

export interface HashKvResponse {
  readonly header: HeaderInfo;
  /** etcd's field is a uint32: the first 4 bytes of the store's SHA-256. */
  readonly hash: number;
  readonly compactRevision: number;
}

export interface StatusResponse {
  readonly header: HeaderInfo;
  /** The etcd API version we speak, e.g. "3.4.0": clients gate features on it. */
  readonly version: string;
  readonly dbSizeBytes: number;
  readonly dbSizeInUseBytes: number;
  /** 0n when no leader is known. */
  readonly leaderId: bigint;
  readonly raftIndex: number;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  /** Alarm/health messages (etcd lists raised alarms here). */
  readonly errors: readonly string[];
  readonly isLearner: boolean;
}

/** Every call takes the client's cancellation: a backend stops waiting (ReadIndex, commit) on abort. */
export interface CallOptions {
  readonly signal: AbortSignal;
}

export interface ReadOptions extends CallOptions {
  /** Member-local read without ReadIndex (may be stale). Default: linearizable. */
  readonly serializable: boolean;
}

export interface EtcdBackend {
  identity(): MemberIdentity;
  /** The last applied revision and the current term on this member, without waiting. */
  localHeader(): LocalHeader;

  range(request: RangeRequest, options: ReadOptions): Promise<RangeResponse>;
  put(request: PutRequest, options: CallOptions): Promise<PutResponse>;
  deleteRange(request: DeleteRangeRequest, options: CallOptions): Promise<DeleteRangeResponse>;
  /** A txn whose branches only read may be served like a range (ReadIndex, no log entry). */
  txn(request: TxnRequest, options: CallOptions): Promise<TxnResponse>;
  compact(request: CompactRequest, options: CallOptions): Promise<CompactResponse>;

  /** Watches are member-local (no consensus). Throws only for backend-level refusals. */
  watch(request: WatchRequest, listener: WatchListener): Promise<WatchStart>;

  leaseGrant(request: LeaseGrantRequest, options: CallOptions): Promise<LeaseGrantResponse>;
  /** Throws STORE_LEASE_NOT_FOUND for an unknown lease, here and in keepAlive/timeToLive. */
  leaseRevoke(id: number, options: CallOptions): Promise<HeaderInfo>;
  leaseKeepAlive(id: number, options: CallOptions): Promise<LeaseKeepAliveResponse>;
  leaseTimeToLive(id: number, keys: boolean, options: CallOptions): Promise<LeaseTimeToLiveResponse>;
  leaseLeases(options: CallOptions): Promise<LeaseLeasesResponse>;

  memberList(options: CallOptions): Promise<MembersResponse>;
  memberAdd(peerUrls: readonly string[], isLearner: boolean, options: CallOptions): Promise<MemberAddResponse>;
  memberRemove(id: bigint, options: CallOptions): Promise<MembersResponse>;
  memberPromote(id: bigint, options: CallOptions): Promise<MembersResponse>;

  status(options: CallOptions): Promise<StatusResponse>;
  /** A hash of the KV history up to `revision` (0: the current one), equal on replicas that agree. */
  hashKv(revision: number, options: CallOptions): Promise<HashKvResponse>;
  /**
   * The store as one consistent snapshot stream (store/snapshot-format.ts), at least as new as
   * every write acknowledged before the call. Optional: a backend without it answers UNIMPLEMENTED.
   */
  snapshot?(options: CallOptions): Promise<StoreSnapshotStream>;
}
