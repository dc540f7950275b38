import type { Timers, TimerHandle } from '../../common/index.ts';
import type { ContainerProbes } from './container-probes.ts';
import type { ProbeKind } from './probe-spec.ts';
import { runProbe, type ProbeAttempt, type ProbeTarget } from './prober.ts';

export interface ProbeLoopOptions {
  readonly probes: ContainerProbes;
  readonly target: ProbeTarget;
  readonly timers: Timers;
  readonly nowMs: () => number;
  /** Called after every attempt whose published result may have changed anything. */
  readonly onResult: (kind: ProbeKind, attempt: ProbeAttempt) => void;
  /** Injectable for tests; defaults to the real prober. */
  readonly run?: typeof runProbe;
}

/**
 * Drives the probes of one container instance: each probe on its own period, starting at its
 * initial delay, one attempt in flight at a time (kubelet's worker goroutine per probe). It stops
 * when cancelled (the instance exited or is being killed) or when its tracker is on hold.
 */
export class ProbeLoop {
  private readonly handles = new Map<ProbeKind, TimerHandle>();
  private cancelled = false;

  constructor(private readonly options: ProbeLoopOptions) {}

  start(): void {
    for (const [kind, tracker] of this.options.probes.trackers) {
      this.schedule(kind, Math.max(0, tracker.firstProbeAtMs() - this.options.nowMs()));
    }
  }

  cancel(): void {
    this.cancelled = true;
    for (const handle of this.handles.values()) handle.cancel();
    this.handles.clear();
  }

  private schedule(kind: ProbeKind, delayMs: number): void {
    if (this.cancelled) return;
    this.handles.set(kind, this.options.timers.setTimeout(() => void this.tick(kind), delayMs));
  }

  private async tick(kind: ProbeKind): Promise<void> {
    const { probes, target } = this.options;
    const tracker = probes.trackers.get(kind);
    if (this.cancelled || tracker === undefined) return;
    const startedMs = this.options.nowMs();
    if (probes.shouldRun(kind, startedMs)) {
      const attempt = await (this.options.run ?? runProbe)(tracker.spec.action, target, tracker.spec.timeoutMs);
      if (this.cancelled) return;
      tracker.observe(attempt.outcome);
      this.options.onResult(kind, attempt);
    }
    // A startup probe that succeeded and a liveness/startup probe on hold have nothing more to do.
    if (tracker.onHold || (kind === 'startup' && probes.started)) return;
    this.schedule(kind, Math.max(0, startedMs + tracker.spec.periodMs - this.options.nowMs()));
  }
}
