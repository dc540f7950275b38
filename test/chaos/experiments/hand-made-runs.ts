import { sampleTimeline, type ProbeAttempt, type ReplicaReading, type Timeline, type TimelineInput } from '../../../chaos/experiments/index.ts';

/** t = 0 of the hand-made runs, in epoch ms: any fixed number (the sampler reads no clock). */
export const zeroMs = 1_000_000;

/** A probe answering every 100 ms in 5 ms, except in the given windows (relative ms), where it fails. */
export function attemptsWithGaps(probe: string, fromMs: number, toMs: number, failing: readonly [number, number][]): ProbeAttempt[] {
  const attempts: ProbeAttempt[] = [];
  for (let startMs = fromMs; startMs < toMs; startMs += 100) {
    const down = failing.some(([start, end]) => startMs >= start && startMs < end);
    attempts.push({ probe, startMs: zeroMs + startMs, endMs: zeroMs + startMs + (down ? 90 : 5), ok: !down, error: down ? 'timeout' : null });
  }
  return attempts;
}

/** Every replica reporting every 100 ms: `leaderAt(ms)` leads in `termAt(ms)`; `down(replica, ms)` does not answer. */
export function readings(replicas: readonly string[], fromMs: number, toMs: number, leaderAt: (ms: number) => string | null, termAt: (ms: number) => number, down: (replica: string, ms: number) => boolean = () => false): ReplicaReading[] {
  const result: ReplicaReading[] = [];
  for (let atMs = fromMs; atMs <= toMs; atMs += 100) {
    for (const replica of replicas) {
      const reachable = !down(replica, atMs);
      result.push({ replica, atMs: zeroMs + atMs, reachable, term: reachable ? termAt(atMs) : null, leader: reachable ? leaderAt(atMs) : null });
    }
  }
  return result;
}

/**
 * A leader-kill run: n1 leads in term 1, is killed at 3 s and restarted at 7 s; n2 leads from
 * 3.5 s in term 2; the kv probe fails from 3 s to 3.6 s. 10 s long.
 */
export function leaderKillInput(overrides: Partial<TimelineInput> = {}): TimelineInput {
  const replicas = ['n1', 'n2', 'n3'];
  return {
    experiment: { name: 'leader-kill', description: 'hand-made' },
    startedAtMs: zeroMs,
    durationMs: 10_000,
    stepMs: 100,
    replicas,
    probes: [{ name: 'kv', kind: 'kv', target: 'chaos/probe/kv', toleranceMs: 300 }],
    attempts: attemptsWithGaps('kv', -500, 10_000, [[3_000, 3_600]]),
    readings: readings(replicas, -500, 10_000, (ms) => (ms < 3_000 ? 'n1' : ms < 3_500 ? null : 'n2'), (ms) => (ms < 3_300 ? 1 : 2), (replica, ms) => replica === 'n1' && ms >= 3_000 && ms < 7_500),
    pods: [],
    faults: [{ id: 'kill-leader', description: 'kill n1 (the leader)', startMs: zeroMs + 3_000, healedMs: zeroMs + 7_000, leaderBefore: 'n1', termBefore: 1, removesLeader: true }],
    droppedObservations: 0,
    ...overrides,
  };
}

export function leaderKillTimeline(overrides: Partial<TimelineInput> = {}): Timeline {
  return sampleTimeline(leaderKillInput(overrides));
}
