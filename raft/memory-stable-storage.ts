import type { MemoryBatch } from './memory-batch.ts';
import type { StableStorage } from './stable-storage.ts';
import type { HardState, SnapshotMetadata } from './types.ts';

/** `StableStorage` in memory; shares `MemoryBatch` with `MemoryLogStorage`. */
export class MemoryStableStorage implements StableStorage<MemoryBatch> {
  private hard: HardState | null = null;
  private snapshotMetadata: SnapshotMetadata | null = null;

  hardState(): HardState | null {
    return this.hard;
  }

  snapshot(): SnapshotMetadata | null {
    return this.snapshotMetadata;
  }

  setHardState(batch: MemoryBatch, hardState: HardState): void {
    batch.add(() => {
      this.hard = hardState;
    });
  }

  setSnapshot(batch: MemoryBatch, metadata: SnapshotMetadata): void {
    batch.add(() => {
      this.snapshotMetadata = metadata;
    });
  }
}
