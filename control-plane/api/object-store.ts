/**
 * The storage port of the API server: exactly the operations it needs from the replicated store,
 * in terms of string keys and byte values. The API server never sees Raft or the store's MVCC
 * types; `MvccObjectStore` adapts the in-process store, and the replicated version (which proposes
 * through Raft and reads with ReadIndex) implements the same interface.
 *
 * Expected outcomes of a compare-and-swap (exists, conflict, not found) are returned as
 * discriminated unions. Operating errors are thrown as `FlotillaError`; the API server maps
 * `STORE_COMPACTED` to 410 Gone, `STORE_VALUE_TOO_LARGE` to 413, anything else to 500.
 */

/** One stored object at its latest (or requested) revision. */
export interface StoredObject {
  readonly key: string;
  readonly value: Uint8Array;
  /** Revision of the last write to the key: the object's resourceVersion. */
  readonly modRevision: number;
  /** Revision that created this incarnation of the key. */
  readonly createRevision: number;
}

export interface ListOptions {
  /** At most this many objects (0 or absent: no limit). */
  readonly limit?: number;
  /** Continue after this key (exclusive); it must start with the prefix. */
  readonly continueAfter?: string;
  /** Read the state as of this revision (0 or absent: the current revision). */
  readonly revision?: number;
}

export interface ListResult {
  /** Objects in key order. */
  readonly items: readonly StoredObject[];
  /** The revision the list was read at (the list's resourceVersion). */
  readonly revision: number;
  /** Whether objects after the last item were left out by `limit`. */
  readonly more: boolean;
  /** Objects under the prefix after the returned ones (meaningful when `more`). */
  readonly remaining: number;
}

/**
 * Keys written in the same transaction as an object, for values only one object may hold at a
 * time (a Service's cluster IP, its node ports): each `reserve` key must be absent and is created
 * (its value names the holder); each `release` key is deleted. So an allocation can never be
 * given twice, nor outlive its holder, whatever replica does the write and whatever fails.
 */
export interface ReservationOptions {
  readonly reserve?: readonly string[];
  readonly release?: readonly string[];
}

/** A write refused because some of its `reserve` keys are held (by another object). */
export interface ReservedResult {
  readonly ok: false;
  readonly reason: 'reserved';
  readonly held: readonly string[];
}

export type CreateResult =
  | { readonly ok: true; readonly object: StoredObject }
  | { readonly ok: false; readonly reason: 'exists'; readonly current: StoredObject | null }
  | ReservedResult;

export type UpdateResult =
  | { readonly ok: true; readonly object: StoredObject }
  /** `current` is the object now stored (null: it is gone). */
  | { readonly ok: false; readonly reason: 'conflict' | 'notFound'; readonly current: StoredObject | null }
  | ReservedResult;

export type DeleteResult =
  /** `object` is the value that was deleted; its modRevision is the delete's revision. */
  | { readonly ok: true; readonly object: StoredObject }
  | { readonly ok: false; readonly reason: 'conflict' | 'notFound'; readonly current: StoredObject | null };

/**
 * A change under a watched prefix. `value` is the new value (for a delete: the last value before
 * the delete) and `prevValue` the value before this change (null for a create).
 * `progress` says that nothing under the prefix changed up to `revision` (a Kubernetes bookmark).
 */
export type ObjectWatchEvent =
  | { readonly type: 'created' | 'updated' | 'deleted'; readonly key: string; readonly value: Uint8Array; readonly prevValue: Uint8Array | null; readonly revision: number }
  | { readonly type: 'progress'; readonly revision: number };

export interface WatchOptions {
  /** First revision to deliver (0 or absent: changes after the current revision). At or below the compact revision: STORE_COMPACTED. */
  readonly fromRevision?: number;
  /** Ends the stream. */
  readonly signal?: AbortSignal;
  /** How often an idle watch reports progress (0 or absent: never). */
  readonly progressIntervalMs?: number;
}

/** An event stream. It ends when the signal aborts; it throws STORE_COMPACTED, or another FlotillaError when the store cuts it off. */
export type ObjectWatch = AsyncIterable<ObjectWatchEvent>;

export interface ObjectStore {
  /** The latest committed revision. */
  currentRevision(): Promise<number>;
  /**
   * `local`: this replica's applied state, without a ReadIndex round (may lag the leader by a
   * few milliseconds; for checks Kubernetes serves from a cache too, e.g. "does the namespace exist").
   */
  get(key: string, options?: { readonly consistency?: 'linearizable' | 'local' }): Promise<StoredObject | null>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Fails with 'exists' when the key is present, 'reserved' when a reservation is held. */
  create(key: string, value: Uint8Array, reservations?: ReservationOptions): Promise<CreateResult>;
  /** Compare-and-swap on the key's modRevision. */
  update(key: string, value: Uint8Array, expectedModRevision: number, reservations?: ReservationOptions): Promise<UpdateResult>;
  /** Compare-and-swap on the key's modRevision; absent `expectedModRevision`: delete whatever is there. `release` keys go with it. */
  delete(key: string, expectedModRevision?: number, reservations?: Pick<ReservationOptions, 'release'>): Promise<DeleteResult>;
  /** Throws STORE_COMPACTED synchronously (or on the first iteration) when `fromRevision` is too old. */
  watch(prefix: string, options?: WatchOptions): ObjectWatch;
}
