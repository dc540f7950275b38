import type { FaultRecord, PodReading, ProbeAttempt, ReplicaReading } from './observations.ts';
import { findOutages, longestGap } from './outages.ts';
import type { FaultWindow, LeaderChange, Outage, ProbeSample, ReplicaSample, Sample, Timeline, TimelineProbe } from './timeline.ts';

/** The timeline's resolution. */
export const timelineStepMs = 100;

/** A replica whose latest answer is older than this (its status call hangs: paused) counts as unreachable. */
export const readingStaleMs = 1_500;

export interface TimelineInput {
  readonly experiment: { readonly name: string; readonly description: string };
  /** Epoch milliseconds of t = 0. */
  readonly startedAtMs: number;
  readonly durationMs: number;
  readonly stepMs: number;
  readonly replicas: readonly string[];
  readonly probes: readonly TimelineProbe[];
  readonly attempts: readonly ProbeAttempt[];
  readonly readings: readonly ReplicaReading[];
  readonly pods: readonly PodReading[];
  readonly faults: readonly FaultRecord[];
  readonly droppedObservations: number;
}

/**
 * Turns what a run observed into its timeline: one sample per step from t = 0 to the duration,
 * each with the state as of its time. Pure: the input carries every time it needs.
 */
export function sampleTimeline(input: TimelineInput): Timeline {
  const relative = (epochMs: number): number => epochMs - input.startedAtMs;
  const outages: Record<string, Outage[]> = {};
  const longestGaps: Record<string, Outage | null> = {};
  for (const probe of input.probes) {
    const attempts = input.attempts.filter((attempt) => attempt.probe === probe.name).map((attempt) => ({ startMs: relative(attempt.startMs), endMs: relative(attempt.endMs), ok: attempt.ok }));
    outages[probe.name] = findOutages(attempts, probe.toleranceMs, input.durationMs);
    longestGaps[probe.name] = longestGap(attempts, input.durationMs);
  }
  const faults: FaultWindow[] = input.faults.map((fault) => ({
    id: fault.id,
    description: fault.description,
    startMs: relative(fault.startMs),
    endMs: fault.healedMs === null ? null : relative(fault.healedMs),
    leaderBefore: fault.leaderBefore,
    termBefore: fault.termBefore,
    removesLeader: fault.removesLeader,
  }));
  const readingsOf = new Map(input.replicas.map((replica) => [replica, input.readings.filter((reading) => reading.replica === replica).map((reading) => ({ ...reading, atMs: relative(reading.atMs) })).sort((a, b) => a.atMs - b.atMs)]));
  const pods = input.pods.map((reading) => ({ ...reading, atMs: relative(reading.atMs) })).sort((a, b) => a.atMs - b.atMs);
  const attemptsOf = new Map(input.probes.map((probe) => [probe.name, input.attempts.filter((attempt) => attempt.probe === probe.name).map((attempt) => ({ ...attempt, startMs: relative(attempt.startMs), endMs: relative(attempt.endMs) })).sort((a, b) => a.endMs - b.endMs)]));
  const samples: Sample[] = [];
  for (let atMs = 0; atMs <= input.durationMs; atMs += input.stepMs) {
    const replicas = Object.fromEntries(input.replicas.map((replica) => [replica, replicaAt(readingsOf.get(replica) ?? [], atMs)]));
    const { leader, term } = agreedLeader(Object.values(replicas));
    const probes = Object.fromEntries(input.probes.map((probe) => [probe.name, probeAt(attemptsOf.get(probe.name) ?? [], outages[probe.name] ?? [], atMs, input.stepMs)]));
    // In force at some point of the step that ends at this sample: (atMs − step, atMs].
    const active = faults.filter((fault) => fault.startMs <= atMs && (fault.endMs === null || fault.endMs > atMs - input.stepMs)).map((fault) => fault.id);
    samples.push({ atMs, leader, term, replicas, probes, faults: active, pods: podsAt(pods, atMs) });
  }
  return {
    version: 1,
    experiment: input.experiment,
    startedAt: new Date(input.startedAtMs).toISOString(),
    stepMs: input.stepMs,
    durationMs: input.durationMs,
    replicas: input.replicas,
    probes: input.probes,
    faults,
    samples,
    outages,
    longestGaps,
    leaderChanges: leaderChanges(samples),
    droppedObservations: input.droppedObservations,
  };
}

/** The latest reading at or before `atMs`, if fresh enough. */
function replicaAt(readings: readonly ReplicaReading[], atMs: number): ReplicaSample {
  const latest = latestAtOrBefore(readings, atMs);
  if (latest === undefined || !latest.reachable || atMs - latest.atMs > readingStaleMs) return { reachable: false, term: null, leader: null };
  return { reachable: true, term: latest.term, leader: latest.leader };
}

/**
 * As `flotilla status` decides: the leader known by the answering replicas in the highest term,
 * with that term (a stale follower's old leader never pairs with a newer term). Without any
 * known leader, the highest term seen (an election under way).
 */
export function agreedLeader(replicas: readonly ReplicaSample[]): { leader: string | null; term: number | null } {
  let best: ReplicaSample | null = null;
  let highestTerm: number | null = null;
  for (const replica of replicas) {
    if (!replica.reachable || replica.term === null) continue;
    highestTerm = Math.max(highestTerm ?? replica.term, replica.term);
    if (replica.leader !== null && (best === null || replica.term > (best.term ?? 0))) best = replica;
  }
  return best === null ? { leader: null, term: highestTerm } : { leader: best.leader, term: best.term };
}

function probeAt(attempts: readonly ProbeAttempt[], outages: readonly Outage[], atMs: number, stepMs: number): ProbeSample {
  const fromMs = atMs - stepMs;
  const ended = attempts.slice(countEndedBy(attempts, fromMs), countEndedBy(attempts, atMs));
  // Latency of answers only: a failed attempt's time is its timeout, shown as unavailability.
  const latencies = ended.filter((attempt) => attempt.ok).map((attempt) => attempt.endMs - attempt.startMs);
  const down = outages.some((outage) => outage.fromMs < atMs && (outage.toMs === null || outage.toMs > fromMs));
  return {
    available: !down,
    ok: ended.filter((attempt) => attempt.ok).length,
    failed: ended.filter((attempt) => !attempt.ok).length,
    latencyMs: latencies.length === 0 ? null : Math.max(...latencies),
  };
}

function podsAt(readings: readonly PodReading[], atMs: number): Sample['pods'] {
  const latest = latestAtOrBefore(readings, atMs);
  return latest === undefined ? null : { ready: latest.ready, total: latest.total };
}

/** How many attempts (sorted by end time) ended at or before `atMs`. */
function countEndedBy(sorted: readonly ProbeAttempt[], atMs: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle]?.endMs ?? 0) <= atMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

function latestAtOrBefore<Reading extends { readonly atMs: number }>(sorted: readonly Reading[], atMs: number): Reading | undefined {
  // Binary search: samples × readings would be quadratic on long runs.
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle]?.atMs ?? 0) <= atMs) low = middle + 1;
    else high = middle;
  }
  return sorted[low - 1];
}

/** Each sample whose leader (or term under a leader) differs from the last leader seen. */
function leaderChanges(samples: readonly Sample[]): LeaderChange[] {
  const changes: LeaderChange[] = [];
  let leader: string | null = null;
  let term: number | null = null;
  for (const sample of samples) {
    if (sample.leader === null) continue;
    if (sample.leader !== leader || (sample.term !== null && term !== null && sample.term > term)) {
      if (leader !== null || changes.length > 0 || sample.atMs > 0) changes.push({ atMs: sample.atMs, from: leader, to: sample.leader, term: sample.term });
      leader = sample.leader;
    }
    term = sample.term;
  }
  return changes;
}
