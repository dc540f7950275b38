/**
 * The store's own named maximums (the cross-cutting ones — key/value sizes, watcher buffer — live
 * in common/limits.ts). Each bounds a batch, a queue or a synchronous loop so that one request or
 * one huge database cannot stall the event loop or grow memory without bound.
 */
export const StoreLimits = {
  /** Operations in one txn, counted over the whole tree (etcd's --max-txn-ops default). */
  txnOpsMax: 128,
  /** Nesting depth of txn-in-txn. */
  txnDepthMax: 8,
  /** Lease ids are JS safe integers so that msgpack round-trips them exactly. */
  leaseIdMax: Number.MAX_SAFE_INTEGER,
  /** Longest lease TTL, as etcd's MaxLeaseTTL. */
  leaseTtlSecondsMax: 9_000_000_000,
  /** Live leases in the table; a grant beyond this fails with INVALID_ARGUMENT. */
  leasesMax: 1_000_000,
  /** Lease ids in one leaseExpire command (the leader proposes more commands if needed). */
  leaseExpireIdsMax: 1000,
  /** How long a lease reported as expired is not reported again (its expire command is in flight). */
  leaseExpireRetryMs: 3000,
  /** History records deleted in one LevelDB batch by the background compactor. */
  compactionDeleteBatchRevisions: 1000,
  /** Keys pruned from the in-memory index between two yields to the event loop. */
  compactionPruneKeysPerStep: 5000,
  /**
   * Bytes of history records (key + value + a fixed overhead each) kept in memory for ranges; a
   * hot working set is then served without a LevelDB read (a thread-pool round trip per get).
   */
  recordCacheBytesMax: 4 * 1024 * 1024,
  /** Values fetched in one getMany by a range or a watch catch-up. */
  valueFetchBatchKeys: 1000,
  /** History records read per catch-up step of one watcher (a revision is never split). */
  watchCatchUpRecordsPerStep: 1000,
  /** Live watchers in one hub. */
  watchersMax: 100_000,
  /** Target size of one snapshot frame; a frame holding a single large record may be larger. */
  snapshotFrameBytes: 256 * 1024,
  /** A frame larger than this is corrupt (largest record ≈ key + value limits + overhead). */
  snapshotFrameBytesMax: 8 * 1024 * 1024,
  /** Bytes written per LevelDB batch while installing a snapshot. */
  snapshotInstallBatchBytes: 4 * 1024 * 1024,
} as const;
