import type { Clock } from '../../../common/index.ts';

/** One probe attempt, in epoch milliseconds. */
export interface ProbeAttempt {
  readonly probe: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly ok: boolean;
  /** Why it failed (`timeout`, `status 503`, `2 of 3 ready`); null when it succeeded. */
  readonly error: string | null;
}

/** What one replica said about itself (Maintenance.Status), or that it did not answer. */
export interface ReplicaReading {
  readonly replica: string;
  readonly atMs: number;
  readonly reachable: boolean;
  readonly term: number | null;
  /** The leader's name as this replica knows it; null when it knows none. */
  readonly leader: string | null;
}

export interface PodReading {
  readonly atMs: number;
  readonly ready: number;
  readonly total: number;
}

/** A fault as it was actually applied (times in epoch ms, what it resolved "leader" to). */
export interface FaultRecord {
  readonly id: string;
  readonly description: string;
  readonly startMs: number;
  readonly healedMs: number | null;
  /** The leader when the fault started, and whether the fault took it away (killed, paused, cut off). */
  readonly leaderBefore: string | null;
  readonly termBefore: number | null;
  readonly removesLeader: boolean;
}

/** Each kind of observation kept per run; beyond it, new ones are counted and dropped. */
export const observationsPerKindMax = 500_000;

/**
 * Everything observed during a run, stamped by the injected clock. Probes, pollers and the
 * fault player only append; the timeline is built from it afterwards (`sample-timeline.ts`).
 */
export class ObservationLog {
  readonly attempts: ProbeAttempt[] = [];
  readonly readings: ReplicaReading[] = [];
  readonly pods: PodReading[] = [];
  readonly faults: FaultRecord[] = [];
  dropped = 0;

  constructor(readonly clock: Clock) {}

  addAttempt(attempt: ProbeAttempt): void {
    this.append(this.attempts, attempt);
  }

  addReading(reading: ReplicaReading): void {
    this.append(this.readings, reading);
  }

  addPods(reading: PodReading): void {
    this.append(this.pods, reading);
  }

  addFault(record: FaultRecord): void {
    this.append(this.faults, record);
  }

  private append<Item>(list: Item[], item: Item): void {
    if (list.length >= observationsPerKindMax) this.dropped += 1;
    else list.push(item);
  }
}
