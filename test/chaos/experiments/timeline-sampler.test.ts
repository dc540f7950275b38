import { describe, expect, it } from 'vitest';
import { sampleTimeline } from '../../../chaos/experiments/index.ts';
import { findOutages, longestGap } from '../../../chaos/experiments/timeline/outages.ts';
import { agreedLeader } from '../../../chaos/experiments/timeline/sample-timeline.ts';
import { leaderKillInput, leaderKillTimeline, readings, zeroMs } from './hand-made-runs.ts';

describe('the timeline sampler', () => {
  it('takes one sample per step from t = 0 to the duration, times relative to t = 0', () => {
    const timeline = leaderKillTimeline();
    expect(timeline.samples).toHaveLength(101);
    expect(timeline.samples[0]?.atMs).toBe(0);
    expect(timeline.samples.at(-1)?.atMs).toBe(10_000);
    expect(timeline.startedAt).toBe(new Date(zeroMs).toISOString());
    expect(timeline.faults).toEqual([{ id: 'kill-leader', description: 'kill n1 (the leader)', startMs: 3_000, endMs: 7_000, leaderBefore: 'n1', termBefore: 1, removesLeader: true }]);
  });

  it('shows the leader and term, the election gap, the killed replica unreachable, and the leader change', () => {
    const timeline = leaderKillTimeline();
    const at = (ms: number) => timeline.samples.find((sample) => sample.atMs === ms);
    expect(at(2_000)).toMatchObject({ leader: 'n1', term: 1 });
    expect(at(3_400)).toMatchObject({ leader: null, term: 2 });
    expect(at(3_400)?.replicas['n1']).toEqual({ reachable: false, term: null, leader: null });
    expect(at(5_000)).toMatchObject({ leader: 'n2', term: 2 });
    expect(timeline.leaderChanges).toEqual([{ atMs: 3_500, from: 'n1', to: 'n2', term: 2 }]);
  });

  it('marks the fault window on every sample it covers', () => {
    const timeline = leaderKillTimeline();
    const faulted = timeline.samples.filter((sample) => sample.faults.includes('kill-leader')).map((sample) => sample.atMs);
    expect(faulted[0]).toBe(3_000);
    expect(faulted.at(-1)).toBe(7_000);
  });

  it('finds outages as gaps between answers over the tolerance, and counts attempts and latency per step', () => {
    const timeline = leaderKillTimeline();
    // Last success ends at 2.905 s, the next at 3.605 s.
    expect(timeline.outages['kv']).toEqual([{ fromMs: 2_905, toMs: 3_605 }]);
    expect(timeline.longestGaps['kv']).toEqual({ fromMs: 2_905, toMs: 3_605 });
    const at = (ms: number) => timeline.samples.find((sample) => sample.atMs === ms)?.probes['kv'];
    expect(at(2_000)).toEqual({ available: true, ok: 1, failed: 0, latencyMs: 5 });
    expect(at(3_300)).toEqual({ available: false, ok: 0, failed: 1, latencyMs: null });
    // The step that ends at 3.7 s still holds the end of the outage (3.605 s).
    expect(at(3_700)?.available).toBe(false);
    expect(at(3_800)?.available).toBe(true);
  });

  it('counts one failed attempt promptly followed by an answer as no outage', () => {
    const attempts = [0, 100, 200, 300].map((startMs) => ({ startMs, endMs: startMs + 5, ok: startMs !== 100 }));
    expect(findOutages(attempts, 300, 400)).toEqual([]);
    expect(findOutages(attempts, 150, 400)).toEqual([{ fromMs: 5, toMs: 205 }]);
    expect(findOutages([], 300, 1_000)).toEqual([{ fromMs: 0, toMs: null }]);
    expect(findOutages([{ startMs: 0, endMs: 5, ok: true }], 300, 1_000)).toEqual([{ fromMs: 5, toMs: null }]);
  });

  it('measures the longest gap between answers even when it stays under the tolerance, and up to the end', () => {
    const attempts = [{ startMs: -50, endMs: -40, ok: true }, { startMs: 100, endMs: 350, ok: true }, { startMs: 400, endMs: 410, ok: true }];
    expect(longestGap(attempts, 500)).toEqual({ fromMs: 0, toMs: 350 });
    expect(longestGap([{ startMs: 0, endMs: 10, ok: true }], 1_000)).toEqual({ fromMs: 10, toMs: null });
    expect(longestGap([{ startMs: 0, endMs: 10, ok: false }], 1_000)).toBeNull();
  });

  it('agrees on the leader known in the highest term, never pairing a stale leader with a newer term', () => {
    expect(agreedLeader([{ reachable: true, term: 1, leader: 'n1' }, { reachable: true, term: 2, leader: null }])).toEqual({ leader: 'n1', term: 1 });
    expect(agreedLeader([{ reachable: true, term: 1, leader: 'n1' }, { reachable: true, term: 2, leader: 'n2' }])).toEqual({ leader: 'n2', term: 2 });
    expect(agreedLeader([{ reachable: false, term: null, leader: null }, { reachable: true, term: 3, leader: null }])).toEqual({ leader: null, term: 3 });
  });

  it('counts a replica whose last answer is stale (a paused process) as unreachable', () => {
    const input = leaderKillInput({ readings: readings(['n1', 'n2', 'n3'], -500, 2_000, () => 'n1', () => 1) });
    const timeline = sampleTimeline(input);
    expect(timeline.samples.find((sample) => sample.atMs === 2_500)?.replicas['n2']?.reachable).toBe(true);
    expect(timeline.samples.find((sample) => sample.atMs === 3_600)?.replicas['n2']?.reachable).toBe(false);
  });

  it('carries the latest pod counts', () => {
    const timeline = sampleTimeline(leaderKillInput({ pods: [{ atMs: zeroMs + 1_000, ready: 3, total: 3 }, { atMs: zeroMs + 4_000, ready: 2, total: 3 }] }));
    expect(timeline.samples.find((sample) => sample.atMs === 500)?.pods).toBeNull();
    expect(timeline.samples.find((sample) => sample.atMs === 2_000)?.pods).toEqual({ ready: 3, total: 3 });
    expect(timeline.samples.find((sample) => sample.atMs === 4_500)?.pods).toEqual({ ready: 2, total: 3 });
  });
});
