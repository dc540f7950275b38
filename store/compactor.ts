import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { silentLogger, type Logger } from '../common/index.ts';
import { encodeRevisionKey, type Revision } from './keys.ts';
import type { StoreLayout } from './layout.ts';
import { StoreLimits } from './store-limits.ts';
import type { TreeIndex } from './tree-index.ts';

/**
 * Physical compaction, in the background and in bounded steps. The compact command only records
 * the compact revision (in the apply batch); from then on reads below it fail, so forgetting the
 * superseded writes can take its time: prune `compactionPruneKeysPerStep` index keys, delete their
 * records in batches of `compactionDeleteBatchRevisions`, yield, repeat.
 *
 * Crash-safe by construction: a restart rebuilds the index from whatever records remain and the
 * store schedules its compact revision again, which deletes the leftovers.
 */
export class Compactor {
  private target = 0;
  private done = 0;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly layout: StoreLayout,
    private readonly index: TreeIndex,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Compact up to `compactRevision` (a later, higher call supersedes an earlier one). */
  schedule(compactRevision: number): void {
    if (compactRevision <= this.target || this.stopping) return;
    this.target = compactRevision;
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when every scheduled compaction has finished (tests, snapshots, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.whenIdle();
  }

  private async run(): Promise<void> {
    while (this.done < this.target && !this.stopping) {
      const compactRevision = this.target;
      let deleted = 0;
      let fromKey: string | null = '';
      while (fromKey !== null && !this.stopping) {
        const step = this.index.compactStep(compactRevision, fromKey, StoreLimits.compactionPruneKeysPerStep);
        deleted += await this.deleteRecords(step.dropped);
        fromKey = step.nextKey;
        await yieldToEventLoop();
      }
      if (fromKey === null) this.done = compactRevision;
      this.logger.info({ compactRevision, deletedRecords: deleted }, 'compaction finished');
    }
  }

  private async deleteRecords(revisions: readonly Revision[]): Promise<number> {
    for (let start = 0; start < revisions.length; start += StoreLimits.compactionDeleteBatchRevisions) {
      const batch = this.layout.kv.batch();
      for (const { main, sub } of revisions.slice(start, start + StoreLimits.compactionDeleteBatchRevisions)) {
        batch.del(encodeRevisionKey(main, sub));
      }
      await batch.write();
      if (start + StoreLimits.compactionDeleteBatchRevisions < revisions.length) await yieldToEventLoop();
    }
    return revisions.length;
  }
}
