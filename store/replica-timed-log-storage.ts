import type { Clock } from '../common/index.ts';
import type { Entry } from '../raft/index.ts';
// Not in raft/index.ts yet (reported to the lead).
import type { LogStorage } from '../raft/index.ts';
import type { LevelLogStorage } from './level-log-storage.ts';
import type { LevelBatch } from './level-raft-keys.ts';

/**
 * The replica's log storage with its synced batch writes timed: every `Ready` the driver persists
 * with `sync: true` is one LevelDB batch and one fsync, so this is the fsync latency the metrics
 * report. Everything else is passed through unchanged.
 */
export class TimedLogStorage implements LogStorage<LevelBatch> {
  constructor(
    private readonly inner: LevelLogStorage,
    private readonly clock: Clock,
    private readonly onSyncedWrite: (durationMs: number) => void,
  ) {}

  batch(): LevelBatch {
    return this.inner.batch();
  }

  discard(batch: LevelBatch): Promise<void> {
    return this.inner.discard(batch);
  }

  async write(batch: LevelBatch, options: { readonly sync: boolean }): Promise<void> {
    if (!options.sync) return this.inner.write(batch, options);
    const started = this.clock.nowMs();
    await this.inner.write(batch, options);
    this.onSyncedWrite(this.clock.nowMs() - started);
  }

  append(batch: LevelBatch, entries: readonly Entry[]): void {
    this.inner.append(batch, entries);
  }

  truncateAfter(batch: LevelBatch, index: number): void {
    this.inner.truncateAfter(batch, index);
  }

  compact(batch: LevelBatch, index: number): void {
    this.inner.compact(batch, index);
  }

  firstIndex(): number {
    return this.inner.firstIndex();
  }

  lastIndex(): number {
    return this.inner.lastIndex();
  }

  entries(fromIndex: number, toIndexExclusive: number, bytesMax: number): Promise<readonly Entry[]> {
    return this.inner.entries(fromIndex, toIndexExclusive, bytesMax);
  }
}
