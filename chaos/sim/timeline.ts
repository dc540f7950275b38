import type { EventQueue } from './event-queue.ts';

/** Lines kept for a run's summary; a long run's later events are counted, not kept. */
export const timelineLinesMax = 400;

/** Notable events of one run (faults, elections, membership), stamped with virtual time, for the summary. */
export class Timeline {
  private readonly entries: string[] = [];
  private dropped = 0;

  constructor(
    private readonly queue: EventQueue,
    private readonly enabled: boolean,
  ) {}

  add(text: string): void {
    if (!this.enabled) return;
    if (this.entries.length >= timelineLinesMax) {
      this.dropped++;
      return;
    }
    this.entries.push(`${(this.queue.nowUs / 1_000_000).toFixed(3).padStart(8)}s  ${text}`);
  }

  lines(): readonly string[] {
    return this.dropped === 0 ? this.entries : [...this.entries, `… ${this.dropped} more events`];
  }
}
