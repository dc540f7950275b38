/**
 * The timeline of one run, as written to `timeline.json`: every time is in milliseconds from the
 * experiment's t = 0 (when the steady state held), one sample per `stepMs`.
 */
export interface Timeline {
  readonly version: 1;
  readonly experiment: { readonly name: string; readonly description: string };
  /** Wall-clock time of t = 0, ISO 8601. */
  readonly startedAt: string;
  readonly stepMs: number;
  readonly durationMs: number;
  readonly replicas: readonly string[];
  readonly probes: readonly TimelineProbe[];
  readonly faults: readonly FaultWindow[];
  readonly samples: readonly Sample[];
  /** Per probe: the gaps between successes longer than its tolerance. */
  readonly outages: Readonly<Record<string, readonly Outage[]>>;
  /** Per probe: the longest gap between two successes during the experiment (its unavailability); null: it never answered. */
  readonly longestGaps: Readonly<Record<string, Outage | null>>;
  readonly leaderChanges: readonly LeaderChange[];
  /** Observations over the per-run limit, dropped (0 in any sane run). */
  readonly droppedObservations: number;
}

export interface TimelineProbe {
  readonly name: string;
  readonly kind: string;
  /** What it hits (URL, key, Deployment), for the report. */
  readonly target: string;
  readonly toleranceMs: number;
}

export interface FaultWindow {
  readonly id: string;
  readonly description: string;
  readonly startMs: number;
  /** Null: still in force when the run ended (healed only then). */
  readonly endMs: number | null;
  readonly leaderBefore: string | null;
  readonly termBefore: number | null;
  readonly removesLeader: boolean;
}

/** The state as of `atMs`; counts and latency cover the step that ends there. */
export interface Sample {
  readonly atMs: number;
  /** The leader known in the highest term among the replicas that answer; null: none. */
  readonly leader: string | null;
  readonly term: number | null;
  readonly replicas: Readonly<Record<string, ReplicaSample>>;
  readonly probes: Readonly<Record<string, ProbeSample>>;
  /** Ids of the faults in force during the step. */
  readonly faults: readonly string[];
  readonly pods: { readonly ready: number; readonly total: number } | null;
}

export interface ReplicaSample {
  readonly reachable: boolean;
  readonly term: number | null;
  readonly leader: string | null;
}

export interface ProbeSample {
  /** False when an outage of the probe overlaps the step. */
  readonly available: boolean;
  readonly ok: number;
  readonly failed: number;
  /** The slowest successful answer in the step; null: none. */
  readonly latencyMs: number | null;
}

export interface Outage {
  /** The last success before (or the start of observation). */
  readonly fromMs: number;
  /** The first success after; null: still down at the end. */
  readonly toMs: number | null;
}

export interface LeaderChange {
  readonly atMs: number;
  readonly from: string | null;
  readonly to: string;
  readonly term: number | null;
}
