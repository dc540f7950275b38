import type { Clock } from '../common/index.ts';
import { ForwardingLogStorage } from '../raft/index.ts';
import type { LevelLogStorage } from './level-log-storage.ts';
import type { LevelBatch } from './level-raft-keys.ts';

/**
 * The replica's log storage with its synced batch writes timed: every `Ready` the driver persists
 * with `sync: true` is one LevelDB batch and one fsync, so this is the fsync latency the metrics
 * report. Everything else is passed through unchanged.
 */
export class TimedLogStorage extends ForwardingLogStorage<LevelBatch> {
  constructor(
    inner: LevelLogStorage,
    private readonly clock: Clock,
    private readonly onSyncedWrite: (durationMs: number) => void,
  ) {
    super(inner);
  }

  override async write(batch: LevelBatch, options: { readonly sync: boolean }): Promise<void> {
    if (!options.sync) return this.inner.write(batch, options);
    const started = this.clock.nowMs();
    await this.inner.write(batch, options);
    this.onSyncedWrite(this.clock.nowMs() - started);
  }
}
