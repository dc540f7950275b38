import { assert } from '../../common/index.ts';
import type { Violation } from './checks/violation.ts';

/** A container some simulated node runs: the ground truth the API's pod statuses only report. */
export interface RunningContainer {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  /** The owning StatefulSet's name when the pod is one of its ordinals (empty otherwise). */
  readonly statefulSet: string;
  readonly image: string;
  readonly startedElapsedMs: number;
}

/** Containers running at once across all nodes; a run never comes near it. */
export const runningContainersMax = 10_000;
/** At-most-one violations recorded per run. */
export const ledgerViolationsMax = 20;

/**
 * What runs where, across every simulated node (dead nodes' containers keep running: an
 * unreachable machine may still run them). Checked continuously: at the moment a container starts,
 * no other container of the same StatefulSet pod name (the same ordinal) may be running anywhere.
 */
export class ContainerLedger {
  private readonly byUid = new Map<string, RunningContainer>();
  readonly violations: Violation[] = [];

  constructor(private readonly elapsedMs: () => number) {}

  start(container: RunningContainer): void {
    assert(this.byUid.size < runningContainersMax, 'too many simulated containers running');
    if (container.statefulSet !== '') {
      for (const other of this.byUid.values()) {
        if (other.uid === container.uid || other.namespace !== container.namespace || other.name !== container.name) continue;
        this.record({
          property: 'stateful-set-at-most-one',
          message: `at t=${(this.elapsedMs() / 1000).toFixed(3)}s pod ${container.namespace}/${container.name} (uid ${container.uid}) started on ${container.node} while another incarnation (uid ${other.uid}) still runs on ${other.node}`,
        });
      }
    }
    this.byUid.set(container.uid, container);
  }

  stop(uid: string): RunningContainer | undefined {
    const container = this.byUid.get(uid);
    this.byUid.delete(uid);
    return container;
  }

  get(uid: string): RunningContainer | undefined {
    return this.byUid.get(uid);
  }

  onNode(node: string): RunningContainer[] {
    return [...this.byUid.values()].filter((container) => container.node === node);
  }

  all(): RunningContainer[] {
    return [...this.byUid.values()];
  }

  private record(violation: Violation): void {
    if (this.violations.length < ledgerViolationsMax) this.violations.push(violation);
  }
}
