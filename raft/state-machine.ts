import type { Entry, SnapshotMetadata } from './types.ts';

/** A point-in-time view of a state machine, streamed into the snapshot store without blocking applies. */
export interface StateMachineSnapshot {
  /** The last applied index the view covers. */
  readonly index: number;
  /** Expected size, if known (informational: the snapshot store measures what it actually writes). */
  readonly sizeBytes?: number;
  readonly data: AsyncIterable<Uint8Array>;
}

/**
 * The effects of some committed entries, staged into the driver's batch but not yet visible.
 * (`MvccStore.prepareApply` returns exactly this shape.)
 */
export interface PreparedApply<Result> {
  /** Result per entry index; entries without one (noop, membership, already applied) may be absent. */
  readonly outcomes: ReadonlyMap<number, Result>;
  /** The batch is written: make the new state visible (publish to readers and watchers). */
  commit(): unknown;
  /** The batch could not be written: memory is ahead of disk, the state machine must refuse further use. */
  abandon(error: unknown): void;
}

/**
 * The replicated application (the MVCC store in production, a Map in tests). `Batch` is the
 * storage batch type: a LevelDB state machine adds its writes — and its applied index, so that a
 * crash never separates the two — to the batch the driver then writes; results reach proposers
 * only after that write and `commit()`.
 */
export interface StateMachine<Batch, Result> {
  /** The last index whose effects are in the state machine (from its own durable record on restart). */
  readonly appliedIndex: number;
  /**
   * Stages committed entries, in order (noop and membership entries too: they still advance the
   * applied index). Called once at a time: the driver commits or abandons before the next call.
   */
  prepareApply(entries: readonly Entry[], batch: Batch): Promise<PreparedApply<Result>>;
  /**
   * Captures the applied state. Called from the driver loop, so no apply runs until the returned
   * promise resolves; the data stream is consumed later, while applies continue.
   */
  takeSnapshot(): Promise<StateMachineSnapshot>;
  /**
   * Replaces the whole state with a snapshot's; afterwards `appliedIndex === metadata.index`. Runs
   * inside the driver's persist step, before that Ready's Raft writes (see store/README for a
   * restore that swaps the database directory: it must seed the Raft records into the new database
   * and reopen the LevelDB storages on it before returning).
   */
  restore(metadata: SnapshotMetadata, data: AsyncIterable<Uint8Array>): Promise<void>;
}
