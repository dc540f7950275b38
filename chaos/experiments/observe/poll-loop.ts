import type { Env } from '../../../common/index.ts';
import { sleepUntil } from '../run/sleep.ts';

/**
 * Calls `poll` every interval (or right after a slow one ends), one call at a time, each with a
 * signal that aborts at the timeout (and once the call has ended, so nothing it started outlives
 * it). `poll` records what it saw itself (and must not throw: a failed read is an observation too).
 * The pod and replica-status pollers and every ProbeLoop run on it.
 */
export class PollLoop {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
    private readonly env: Env,
    private readonly poll: (signal: AbortSignal) => Promise<void>,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const startMs = this.env.clock.nowMs();
      const timeout = new AbortController();
      const timer = this.env.timers.setTimeout(() => timeout.abort(), this.timeoutMs);
      try {
        await this.poll(timeout.signal);
      } finally {
        timer.cancel();
        timeout.abort();
      }
      await sleepUntil(this.env, startMs + this.intervalMs, this.stopping.signal);
    }
  }
}
