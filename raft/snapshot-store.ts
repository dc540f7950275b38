import type { SnapshotChunk, SnapshotMetadata } from './types.ts';

/**
 * Snapshot bytes, kept outside the core (and outside LevelDB: a snapshot is one big blob that is
 * written once and read in chunks). Snapshots are named by their index: a snapshot covers only
 * committed entries, so two snapshots at the same index have the same content.
 *
 * Two ways in:
 * - incoming (a follower receiving InstallSnapshot): `writeChunk` at offsets, then `finalize`;
 * - local (this member compacting its log): `save` streams the state machine's bytes and returns
 *   their size, the core turns that into metadata (`RaftCore.compact`), then `commit` records it.
 * `StableStorage.snapshot()` stays the authority on which snapshot the log starts after; `prune`
 * drops every other one once that record is durable.
 */
export interface SnapshotStore {
  /** The newest committed snapshot, or null. */
  current(): SnapshotMetadata | null;
  /** Writes one incoming chunk; offset 0 (re)starts the incoming snapshot. Durable when resolved. */
  writeChunk(chunk: SnapshotChunk): Promise<void>;
  /** The incoming snapshot at `metadata.index` is complete: make it current. */
  finalize(metadata: SnapshotMetadata): Promise<void>;
  /** Streams a locally taken snapshot to durable storage (not yet current); resolves to its size. */
  save(index: number, data: AsyncIterable<Uint8Array>): Promise<number>;
  /** Makes a snapshot written by `save` current, with the metadata the core assigned to it. */
  commit(metadata: SnapshotMetadata): Promise<void>;
  /** Bytes [offset, offset + length) of the committed snapshot at `index` (shorter at its end). */
  readChunk(index: number, offset: number, length: number): Promise<Uint8Array>;
  /** The committed snapshot at `index` from its start, for restoring a state machine. */
  read(index: number): AsyncIterable<Uint8Array>;
  /**
   * Deletes every committed snapshot but the one at `keepIndex`, and every partial one (incoming or
   * being saved) at or below it; partial snapshots above it may still become current.
   */
  prune(keepIndex: number): Promise<void>;
}
