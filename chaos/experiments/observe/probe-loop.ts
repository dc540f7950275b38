import type { Env } from '../../../common/index.ts';
import type { ProbeTiming } from '../experiment.ts';
import type { ObservationLog } from '../timeline/observations.ts';
import { PollLoop } from './poll-loop.ts';

/** One try of a probe: resolves on success, throws (with a short reason) on failure; honours the signal. */
export type ProbeAttemptFunction = (signal: AbortSignal) => Promise<void>;

/**
 * Runs a probe's attempts one after the other, starting one every interval (or right after a
 * slow one ends), and records each in the log. One attempt in flight per probe: an outage shows
 * as timeouts, never as a growing pile of requests.
 */
export class ProbeLoop {
  private readonly loop: PollLoop;
  private lastSuccessMs: number | null = null;
  private lastFailure: string | null = null;

  constructor(
    private readonly probe: ProbeTiming,
    private readonly attempt: ProbeAttemptFunction,
    private readonly log: ObservationLog,
    private readonly env: Env,
  ) {
    this.loop = new PollLoop(probe.intervalMs, probe.timeoutMs, env, (signal) => this.attemptAndRecord(signal));
  }

  get name(): string {
    return this.probe.name;
  }

  /** When the last attempt succeeded (for the steady-state wait). */
  get lastSuccessAtMs(): number | null {
    return this.lastSuccessMs;
  }

  /** Why the last attempt failed; null when it succeeded (or none ran). */
  get lastError(): string | null {
    return this.lastFailure;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async attemptAndRecord(signal: AbortSignal): Promise<void> {
    const startMs = this.env.clock.nowMs();
    const error = await this.attemptOnce(signal);
    const endMs = this.env.clock.nowMs();
    if (error === null) this.lastSuccessMs = endMs;
    this.lastFailure = error;
    this.log.addAttempt({ probe: this.probe.name, startMs, endMs, ok: error === null, error });
  }

  /** Null on success, else why it failed (`timeout` once `signal`, the attempt's deadline, aborts). */
  private async attemptOnce(signal: AbortSignal): Promise<string | null> {
    const timedOut = new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('timeout'), { once: true }));
    try {
      // Attempts honour the signal (fetch, deadlines on gRPC calls); the race only makes sure the
      // timeline says "timeout" at the deadline even if one reacts late.
      return await Promise.race([this.attempt(signal).then(() => null), timedOut]);
    } catch (error) {
      return signal.aborted ? 'timeout' : shortReason(error);
    }
  }
}

/** Reasons are kept short: they are stored per attempt. */
const reasonLengthMax = 160;

export function shortReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n')[0] ?? text;
  return firstLine.length > reasonLengthMax ? `${firstLine.slice(0, reasonLengthMax)}…` : firstLine;
}
