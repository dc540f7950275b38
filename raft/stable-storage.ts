import type { HardState, SnapshotMetadata } from './types.ts';

/**
 * The small records Raft must keep across restarts besides the log: the hard state (term, vote,
 * commit index) and the metadata of the snapshot the log starts after. Writes are staged into the
 * same batch type as `LogStorage`, so a snapshot's metadata and the log compaction it allows
 * commit atomically. Getters answer from memory; they are only asked while no batch is pending
 * (the driver writes every batch it opens before it reads again).
 */
export interface StableStorage<Batch> {
  hardState(): HardState | null;
  snapshot(): SnapshotMetadata | null;
  setHardState(batch: Batch, hardState: HardState): void;
  setSnapshot(batch: Batch, metadata: SnapshotMetadata): void;
}
