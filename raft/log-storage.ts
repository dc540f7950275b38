import type { Entry } from './types.ts';

/**
 * Durable Raft log. Writes are staged into a backend batch and made durable together by
 * `write(batch, { sync })`, so that everything one `Ready` persists (hard state, entries, snapshot
 * metadata — see `StableStorage`, which shares the batch type) costs one atomic write and one fsync.
 *
 * `firstIndex`/`lastIndex` are answered from memory and already reflect staged writes; a failed
 * `write` is fatal for the member (it must stop: its memory and its disk disagree).
 */
export interface LogStorage<Batch> {
  /** A new empty batch on the shared backend (for LevelDB: a chained batch on the one database). */
  batch(): Batch;
  /** Atomically commits the batch; `sync: true` fsyncs before resolving. */
  write(batch: Batch, options: { readonly sync: boolean }): Promise<void>;
  /**
   * Releases a batch that will not be written (a Ready with nothing to persist). LevelDB keeps
   * every batch it handed out until it is written or closed, so an unreleased one is a leak.
   */
  discard(batch: Batch): Promise<void>;

  /**
   * Stages `entries` (contiguous, `entries[0].index <= lastIndex() + 1`), deleting every stored
   * entry from `entries[0].index` on first: a new leader's entries replace a conflicting suffix.
   */
  append(batch: Batch, entries: readonly Entry[]): void;
  /** Stages the removal of every entry with index > `index` (a log cut back after a snapshot install). */
  truncateAfter(batch: Batch, index: number): void;
  /** Stages the removal of every entry with index <= `index`; afterwards `firstIndex() === index + 1`. */
  compact(batch: Batch, index: number): void;

  /** Index of the first stored entry; `lastIndex() + 1` when the log is empty. */
  firstIndex(): number;
  /** Index of the last stored entry; the compaction point when the log is empty. */
  lastIndex(): number;
  /**
   * Entries in [fromIndex, toIndexExclusive), stopping once their encoded size passes `bytesMax`
   * (at least one entry is returned when the range is non-empty, however large).
   */
  entries(fromIndex: number, toIndexExclusive: number, bytesMax: number): Promise<readonly Entry[]>;
}
