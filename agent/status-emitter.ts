import { silentLogger, type Logger } from '../common/index.ts';
import type { PodStatus } from './pod-types.ts';

/**
 * Statuses held back while one is being delivered. One: a newer status replaces an older pending
 * one (only the latest matters to the API server), so a slow consumer costs memory of one status.
 */
export const statusPendingMax = 1;

export type StatusCallback = (status: PodStatus) => void | Promise<void>;

/**
 * Delivers pod statuses to a callback one at a time, skipping a status equal to the last delivered
 * one and coalescing bursts (probe results, exits) into the latest.
 */
export class StatusEmitter {
  private lastDeliveredJson: string | undefined;
  private pending: PodStatus | undefined;
  private delivering: Promise<void> | undefined;

  constructor(private readonly callback: StatusCallback, private readonly logger: Logger = silentLogger) {}

  offer(status: PodStatus): void {
    this.pending = status;
    if (this.delivering === undefined) this.delivering = this.drain();
  }

  /** Resolves once everything offered so far has been delivered (or skipped as unchanged). */
  async flush(): Promise<void> {
    while (this.delivering !== undefined) await this.delivering;
  }

  private async drain(): Promise<void> {
    // Yield first: otherwise a drain with nothing to deliver would finish (and clear `delivering`)
    // synchronously, before `offer` stores its promise, leaving a settled promise there forever.
    await Promise.resolve();
    try {
      while (this.pending !== undefined) {
        const status = this.pending;
        this.pending = undefined;
        const json = JSON.stringify(status);
        if (json === this.lastDeliveredJson) continue;
        this.lastDeliveredJson = json;
        try {
          await this.callback(status);
        } catch (error) {
          this.logger.warn({ err: error }, 'status callback failed; the next status supersedes it');
        }
      }
    } finally {
      this.delivering = undefined;
    }
  }
}
