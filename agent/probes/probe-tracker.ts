import type { NormalizedProbe, ProbeKind } from './probe-spec.ts';

/** One probe attempt's outcome (a timeout or error is a failure, as in kubelet). */
export type ProbeOutcome = 'success' | 'failure';

/** The probe's published result: what readiness, liveness and startup decisions read. */
export type ProbeResult = 'success' | 'failure' | 'unknown';

/**
 * kubelet's prober worker (pkg/kubelet/prober/worker.go) as a pure state machine for one probe of one
 * container instance. It is fed attempt outcomes and publishes a result only once the same outcome
 * has been seen `successThreshold` (or `failureThreshold`) times in a row; until then the previous
 * result stands. Initial results are kubelet's: liveness success (a container is alive until proven
 * otherwise), readiness failure, startup unknown. After a liveness or startup failure is published
 * the tracker is on hold: the container is being restarted, and a new instance gets a new tracker.
 */
export class ProbeTracker {
  private published: ProbeResult;
  private lastOutcome: ProbeOutcome | undefined;
  private run = 0;
  private held = false;

  constructor(
    readonly kind: ProbeKind,
    readonly spec: NormalizedProbe,
    /** When the container instance started; initialDelaySeconds counts from here. */
    readonly containerStartedAtMs: number,
  ) {
    this.published = initialResult(kind);
  }

  get result(): ProbeResult {
    return this.published;
  }

  get onHold(): boolean {
    return this.held;
  }

  /** Consecutive identical outcomes so far (for tests and status messages). */
  get consecutive(): number {
    return this.run;
  }

  /** Whether a probe may run at `nowMs`: past the initial delay and not on hold. */
  mayProbe(nowMs: number): boolean {
    return !this.held && nowMs - this.containerStartedAtMs >= this.spec.initialDelayMs;
  }

  /**
   * When the first attempt runs. kubelet's liveness worker probes on a ticker of periodSeconds
   * and skips ticks inside the initial delay, so its first attempt is the first tick at or after
   * the delay (never at the very start, when the process has barely begun listening). Readiness
   * and startup are probed as soon as the delay allows, as kubelet triggers them on container
   * start so that pods become ready without waiting a whole period.
   */
  firstProbeAtMs(): number {
    const { initialDelayMs, periodMs } = this.spec;
    if (this.kind !== 'liveness') return this.containerStartedAtMs + initialDelayMs;
    return this.containerStartedAtMs + Math.max(periodMs, Math.ceil(initialDelayMs / periodMs) * periodMs);
  }

  /** Records one attempt and returns the (possibly unchanged) published result. */
  observe(outcome: ProbeOutcome): ProbeResult {
    if (this.held) return this.published;
    if (this.lastOutcome === outcome) this.run++;
    else {
      this.lastOutcome = outcome;
      this.run = 1;
    }
    const threshold = outcome === 'success' ? this.spec.successThreshold : this.spec.failureThreshold;
    if (this.run < threshold) return this.published;
    this.published = outcome;
    if (outcome === 'failure' && this.kind !== 'readiness') {
      // kubelet: "Stop probing at this point until the container is restarted."
      this.held = true;
      this.run = 0;
    }
    return this.published;
  }
}

function initialResult(kind: ProbeKind): ProbeResult {
  switch (kind) {
    case 'liveness':
      return 'success';
    case 'readiness':
      return 'failure';
    case 'startup':
      return 'unknown';
  }
}
