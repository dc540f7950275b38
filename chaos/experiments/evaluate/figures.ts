import { outageDurationMs } from '../timeline/outages.ts';
import type { FaultWindow, Timeline } from '../timeline/timeline.ts';

export interface FailoverFigure {
  readonly faultId: string;
  /** From the fault to the first sample with a new leader (or the same one in a higher term); null: none by the end. */
  readonly failoverMs: number | null;
}

export interface ProbeFigures {
  /** The longest gap between two answers (the probe's unavailability window); null: it never answered. */
  readonly longestOutageMs: number | null;
  readonly unavailableMs: number;
  readonly outages: number;
  /** The slowest successful answer during the experiment; null: no answer at all. */
  readonly maxLatencyMs: number | null;
}

/** The headline numbers of one run, for its report and for comparisons. */
export interface RunFigures {
  readonly failovers: readonly FailoverFigure[];
  /** The longest failover that completed; null when none did (see `failoversMissing`) or no fault removed the leader. */
  readonly failoverMs: number | null;
  /** Leader losses after which no new leader was seen before the end (JSON has no infinity). */
  readonly failoversMissing: number;
  readonly leaderChanges: number;
  readonly probes: Readonly<Record<string, ProbeFigures>>;
}

export function computeFigures(timeline: Timeline): RunFigures {
  const failovers = timeline.faults.filter((fault) => fault.removesLeader).map((fault) => ({ faultId: fault.id, failoverMs: failoverAfter(timeline, fault) }));
  const known = failovers.map((figure) => figure.failoverMs).filter((value): value is number => value !== null);
  const failoverMs = known.length === 0 ? null : Math.max(...known);
  const probes = Object.fromEntries(timeline.probes.map((probe) => [probe.name, probeFigures(timeline, probe.name)]));
  return { failovers, failoverMs, failoversMissing: failovers.length - known.length, leaderChanges: timeline.leaderChanges.length, probes };
}

/** At the timeline's resolution (one step), from when the fault was applied. */
export function failoverAfter(timeline: Timeline, fault: FaultWindow): number | null {
  for (const sample of timeline.samples) {
    if (sample.atMs < fault.startMs || sample.leader === null) continue;
    const newLeader = sample.leader !== fault.leaderBefore;
    const newTerm = sample.term !== null && fault.termBefore !== null && sample.term > fault.termBefore;
    if (newLeader || newTerm) return sample.atMs - fault.startMs;
  }
  return null;
}

function probeFigures(timeline: Timeline, probe: string): ProbeFigures {
  const outages = (timeline.outages[probe] ?? []).filter((outage) => outage.toMs === null || outage.toMs > 0);
  // Only the part after t = 0 counts: the steady-state wait is not the experiment.
  const durations = outages.map((outage) => outageDurationMs({ fromMs: Math.max(0, outage.fromMs), toMs: outage.toMs }, timeline.durationMs));
  const latencies = timeline.samples.map((sample) => sample.probes[probe]?.latencyMs ?? null).filter((latency): latency is number => latency !== null);
  const gap = timeline.longestGaps[probe] ?? null;
  return {
    longestOutageMs: gap === null ? null : outageDurationMs(gap, timeline.durationMs),
    unavailableMs: durations.reduce((sum, duration) => sum + duration, 0),
    outages: outages.length,
    maxLatencyMs: latencies.length === 0 ? null : Math.max(...latencies),
  };
}
