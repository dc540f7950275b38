import type { Violation } from './checks/violation.ts';

/** Failures of tracked asynchronous steps kept per run (each is a simulator or production bug). */
export const trackedErrorsMax = 20;

/**
 * Asynchronous steps the simulation starts without awaiting them (an operator command, a
 * leader's stop): virtual time must keep moving while they run. A failure is kept as a
 * `simulation-error` violation, never lost.
 */
export class TrackedWork {
  readonly errors: Violation[] = [];

  track(what: string, work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      if (this.errors.length < trackedErrorsMax) this.errors.push({ property: 'simulation-error', message: `${what}: ${error instanceof Error ? error.message : String(error)}` });
    });
  }
}
