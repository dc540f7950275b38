import type { Prng } from '../../common/index.ts';

/**
 * What a store fault does while it lasts. `write-errors`: writes are refused before they apply
 * (Raft had no leader); `lost-write-answers`: writes apply but the answer is lost (leadership lost
 * after the append: the outcome is unknown to the writer); `read-errors`: reads and new watches
 * time out; `latency`: every operation waits `latencyMs` first.
 */
export type StoreFaultMode = 'write-errors' | 'lost-write-answers' | 'read-errors' | 'latency';

export interface StoreFaultWindow {
  readonly mode: StoreFaultMode;
  /** Share of the operations hit, in percent (latency: every operation). */
  readonly percent: number;
  readonly latencyMs: number;
  readonly untilElapsedMs: number;
}

/** Fault windows open at once; a schedule never needs more (older ones are dropped). */
export const storeFaultWindowsMax = 8;

export type WriteFate = 'pass' | 'refuse' | 'lose-answer';

/** The store faults in force, shared by every client of the faulty store. */
export class StoreFaults {
  private windows: StoreFaultWindow[] = [];

  constructor(
    private readonly elapsedMs: () => number,
    private readonly prng: Prng,
  ) {}

  open(window: StoreFaultWindow): void {
    this.windows.push(window);
    if (this.windows.length > storeFaultWindowsMax) this.windows.shift();
  }

  /** Ends every fault now (the heal). */
  clear(): void {
    this.windows = [];
  }

  get activeCount(): number {
    return this.active().length;
  }

  latencyMs(): number {
    return this.active().reduce((total, window) => (window.mode === 'latency' ? total + window.latencyMs : total), 0);
  }

  readFails(): boolean {
    return this.active().some((window) => window.mode === 'read-errors' && this.prng.chance(window.percent / 100));
  }

  writeFate(): WriteFate {
    for (const window of this.active()) {
      if (window.mode === 'write-errors' && this.prng.chance(window.percent / 100)) return 'refuse';
      if (window.mode === 'lost-write-answers' && this.prng.chance(window.percent / 100)) return 'lose-answer';
    }
    return 'pass';
  }

  private active(): StoreFaultWindow[] {
    const now = this.elapsedMs();
    if (this.windows.some((window) => window.untilElapsedMs <= now)) this.windows = this.windows.filter((window) => window.untilElapsedMs > now);
    return this.windows;
  }
}
