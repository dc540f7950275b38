import { settle } from './settle.ts';
import type { VirtualTime } from './virtual-time.ts';

/** Timer callbacks one run may fire; past it the run has a runaway loop and stops. */
export const timerStepsMax = 20_000_000;

/**
 * Moves virtual time from timer to timer. Before each timer, and after the last, every pending
 * promise continuation runs (see settle.ts): production code sees time move only between its
 * turns, as it would on a real clock that is very fast.
 */
export class Driver {
  private steps = 0;

  constructor(private readonly time: VirtualTime) {}

  get timerSteps(): number {
    return this.steps;
  }

  /** Runs `durationMs` of virtual time. */
  async runFor(durationMs: number): Promise<void> {
    const untilMs = this.time.elapsedMs() + durationMs;
    for (;;) {
      await settle();
      if (!this.time.runNext(untilMs)) break;
      this.countStep();
    }
    await settle();
  }

  /** Runs virtual time until `work` settles or `timeoutMs` pass; true when it settled. */
  async runUntil(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
    let done = false;
    void work.then(() => { done = true; }, () => { done = true; });
    const untilMs = this.time.elapsedMs() + timeoutMs;
    for (;;) {
      await settle();
      if (done) return true;
      if (!this.time.runNext(untilMs)) break;
      this.countStep();
    }
    await settle();
    return done;
  }

  private countStep(): void {
    if (++this.steps > timerStepsMax) throw new Error(`more than ${timerStepsMax} timer steps: a runaway loop`);
  }
}
