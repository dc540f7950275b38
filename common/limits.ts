/**
 * Named maximums. Every queue, batch, map, buffer and retry in Flotilla has one, and it lives here
 * (or next to its owner, with a name that says its unit) so that an operator can find them.
 */
export const Limits = {
  /** Largest single Raft proposal. etcd's default request limit is 1.5 MiB. */
  proposalBytesMax: 1.5 * 1024 * 1024,
  /** Uncommitted bytes a leader accepts before refusing proposals (back-pressure). */
  uncommittedBytesMax: 64 * 1024 * 1024,
  /** Entries and bytes in one AppendEntries message. */
  appendEntriesMax: 512,
  appendBytesMax: 1024 * 1024,
  /** AppendEntries messages in flight to one follower before the leader waits for acks. */
  inflightMessagesMax: 64,
  inflightBytesMax: 16 * 1024 * 1024,
  /** Bytes per InstallSnapshot chunk. */
  snapshotChunkBytes: 512 * 1024,
  /** Applied entries kept in the log before the application is asked for a snapshot. */
  snapshotEntriesThreshold: 10_000,
  /** Read requests waiting for a ReadIndex confirmation. */
  pendingReadsMax: 10_000,
  /** Messages queued for one peer before new ones are dropped (and counted). */
  peerQueueMessagesMax: 4096,
  /** Store: key and value sizes, as etcd. */
  keyBytesMax: 1536,
  valueBytesMax: 1.5 * 1024 * 1024,
  /** Events buffered for one watcher before it is cut off. */
  watcherEventsMax: 10_000,
} as const;
