import type { Container } from '../pod-types.ts';
import { normalizeProbe, type ProbeKind } from './probe-spec.ts';
import { ProbeTracker } from './probe-tracker.ts';

export type ProbeVerdict = { readonly kind: 'ok' } | { readonly kind: 'restart'; readonly probe: 'liveness' | 'startup'; readonly gracePeriodSeconds: number | undefined };

/**
 * The three probes of one container instance and kubelet's gating between them: while a startup
 * probe exists and has not succeeded, liveness and readiness do not run; once it succeeds it stops
 * running. `started`, `ready` and the restart verdict are derived, never stored.
 */
export class ContainerProbes {
  readonly trackers: ReadonlyMap<ProbeKind, ProbeTracker>;

  private constructor(trackers: Map<ProbeKind, ProbeTracker>) {
    this.trackers = trackers;
  }

  /** Builds the trackers, or returns a validation message for the first invalid probe. */
  static create(container: Container, startedAtMs: number): ContainerProbes | { readonly invalid: string } {
    const trackers = new Map<ProbeKind, ProbeTracker>();
    const specs: Array<[ProbeKind, Container['livenessProbe']]> = [
      ['startup', container.startupProbe],
      ['liveness', container.livenessProbe],
      ['readiness', container.readinessProbe],
    ];
    for (const [kind, probe] of specs) {
      if (probe === undefined) continue;
      const normalized = normalizeProbe(kind, probe);
      if (!normalized.ok) return { invalid: normalized.message };
      trackers.set(kind, new ProbeTracker(kind, normalized.probe, startedAtMs));
    }
    return new ContainerProbes(trackers);
  }

  get started(): boolean {
    const startup = this.trackers.get('startup');
    return startup === undefined || startup.result === 'success';
  }

  get ready(): boolean {
    if (!this.started) return false;
    const readiness = this.trackers.get('readiness');
    return readiness === undefined || readiness.result === 'success';
  }

  /** Whether `kind` should be probed now, given the gating above. */
  shouldRun(kind: ProbeKind, nowMs: number): boolean {
    const tracker = this.trackers.get(kind);
    if (tracker === undefined || !tracker.mayProbe(nowMs)) return false;
    return kind === 'startup' ? !this.started : this.started;
  }

  verdict(): ProbeVerdict {
    for (const probe of ['startup', 'liveness'] as const) {
      const tracker = this.trackers.get(probe);
      if (tracker?.result === 'failure') {
        return { kind: 'restart', probe, gracePeriodSeconds: tracker.spec.terminationGracePeriodSeconds };
      }
    }
    return { kind: 'ok' };
  }
}
