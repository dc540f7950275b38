import { assert } from '../../common/index.ts';
import type { RaftRestoreState } from '../../raft/index.ts';
import type { Entry, HardState, SnapshotMetadata } from '../../raft/index.ts';

/** A snapshot with its bytes, as the snapshot store holds it. */
export interface StoredSnapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

/** One Ready's worth of writes, in the order the driver makes them. */
export interface WriteBatch {
  readonly hardState: HardState | null;
  /** Installed before `entries` are appended, as etcd's storage does. */
  readonly snapshot: StoredSnapshot | null;
  readonly entries: readonly Entry[];
}

/**
 * A member's disk. Writes land in the page cache (`unsynced`) and become durable only when an
 * fsync completes; a crash throws the page cache away. Batches are atomic (one LevelDB write
 * batch each), so a crash never tears one in half, but it can lose several whole batches.
 */
export class SimDisk {
  private hardState: HardState | null = null;
  private snapshot: StoredSnapshot | null = null;
  /** Durable entries after the snapshot, contiguous. */
  private entries: Entry[] = [];
  private unsynced: WriteBatch[] = [];

  get hasUnsyncedWrites(): boolean {
    return this.unsynced.length > 0;
  }

  get durableSnapshot(): StoredSnapshot | null {
    return this.snapshot;
  }

  get durableHardState(): HardState | null {
    return this.hardState;
  }

  /** The last durable entry (or the snapshot's), what this member would judge candidates by after a crash. */
  get durableTip(): { readonly index: number; readonly term: number } {
    const last = this.entries[this.entries.length - 1];
    if (last !== undefined) return { index: last.index, term: last.term };
    return { index: this.snapshot?.metadata.index ?? 0, term: this.snapshot?.metadata.term ?? 0 };
  }

  write(batch: WriteBatch): void {
    if (batch.hardState === null && batch.snapshot === null && batch.entries.length === 0) return;
    this.unsynced.push(batch);
  }

  /** The fsync completed: everything written so far is durable. */
  sync(): void {
    for (const batch of this.unsynced) this.applyBatch(batch);
    this.unsynced = [];
  }

  /** The process died: the page cache is gone. Returns whether anything was lost. */
  crash(): boolean {
    const lost = this.unsynced.length > 0;
    this.unsynced = [];
    return lost;
  }

  /**
   * A snapshot the application took: written and fsynced before `compact()` is called, so it is
   * durable at once, and the log it covers can go.
   */
  saveTakenSnapshot(snapshot: StoredSnapshot): void {
    this.sync();
    if (this.snapshot !== null && this.snapshot.metadata.index >= snapshot.metadata.index) return;
    this.snapshot = snapshot;
    this.entries = this.entries.filter((entry) => entry.index > snapshot.metadata.index);
  }

  restoreState(): RaftRestoreState {
    return {
      hardState: this.hardState,
      snapshot: this.snapshot === null ? null : this.snapshot.metadata,
      entries: [...this.entries],
    };
  }

  /** A fresh machine with the same name (used when a removed member is replaced). */
  wipe(): void {
    this.hardState = null;
    this.snapshot = null;
    this.entries = [];
    this.unsynced = [];
  }

  private applyBatch(batch: WriteBatch): void {
    if (batch.hardState !== null) this.hardState = batch.hardState;
    if (batch.snapshot !== null) this.installSnapshot(batch.snapshot);
    if (batch.entries.length > 0) this.appendEntries(batch.entries);
  }

  /** Raft §7: keep the log after the snapshot only if it continues the snapshot's last entry. */
  private installSnapshot(snapshot: StoredSnapshot): void {
    const { index, term } = snapshot.metadata;
    const matching = this.entries.find((entry) => entry.index === index);
    this.entries = matching !== undefined && matching.term === term ? this.entries.filter((e) => e.index > index) : [];
    this.snapshot = snapshot;
  }

  private appendEntries(entries: readonly Entry[]): void {
    const snapshotIndex = this.snapshot?.metadata.index ?? 0;
    const fresh = entries.filter((entry) => entry.index > snapshotIndex);
    const first = fresh[0];
    if (first === undefined) return;
    const firstStored = this.entries[0]?.index ?? snapshotIndex + 1;
    const keep = Math.max(0, first.index - firstStored);
    assert(keep <= this.entries.length, () =>
      `disk: append at ${first.index} leaves a gap after ${firstStored + this.entries.length - 1}`,
    );
    this.entries.length = keep;
    for (const entry of fresh) this.entries.push(entry);
  }
}
