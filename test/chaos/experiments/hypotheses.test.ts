import { describe, expect, it } from 'vitest';
import { computeFigures, evaluateHypotheses, type HypothesisSpec, type WritesCheck } from '../../../chaos/experiments/index.ts';
import { attemptsWithGaps, leaderKillTimeline, readings } from './hand-made-runs.ts';

const judge = (hypothesis: HypothesisSpec, writes: WritesCheck | null = null) => evaluateHypotheses([hypothesis], leaderKillTimeline(), writes)[0];

describe('hypotheses on hand-made timelines', () => {
  it('max-unavailability: the longest gap between answers against the bound', () => {
    const passed = judge({ kind: 'max-unavailability', probe: 'kv', atMostMs: 1_000 });
    expect(passed).toMatchObject({ verdict: 'passed', measuredMs: 700, boundMs: 1_000 });
    expect(passed?.measured).toMatch(/^longest gap between answers 700 ms \(2\.9\d? s → 3\.6\d? s\); 1 outage over the 300 ms tolerance$/);
    expect(judge({ kind: 'max-unavailability', probe: 'kv', atMostMs: 500 })?.verdict).toBe('failed');
  });

  it('max-unavailability fails for a probe that never answered', () => {
    const timeline = leaderKillTimeline({ attempts: attemptsWithGaps('kv', -500, 10_000, [[-500, 10_000]]) });
    expect(evaluateHypotheses([{ kind: 'max-unavailability', probe: 'kv', atMostMs: 1_000 }], timeline, null)[0]).toMatchObject({ verdict: 'failed', measuredMs: null });
  });

  it('max-failover: from the fault to the first sample with a new leader', () => {
    expect(judge({ kind: 'max-failover', atMostMs: 600 })).toMatchObject({ verdict: 'passed', measuredMs: 500 });
    expect(judge({ kind: 'max-failover', atMostMs: 400 })?.verdict).toBe('failed');
    expect(computeFigures(leaderKillTimeline())).toMatchObject({ failoverMs: 500, failoversMissing: 0, leaderChanges: 1 });
  });

  it('max-failover is inconclusive when no fault took the leader away, failed when no new leader came', () => {
    const noLeaderLoss = leaderKillTimeline({ faults: [] });
    expect(evaluateHypotheses([{ kind: 'max-failover', atMostMs: 1_000 }], noLeaderLoss, null)[0]?.verdict).toBe('inconclusive');
    const neverElected = leaderKillTimeline({ readings: readings(['n2', 'n3'], -500, 10_000, (ms) => (ms < 3_000 ? 'n1' : null), () => 1) });
    const result = evaluateHypotheses([{ kind: 'max-failover', atMostMs: 1_000 }], neverElected, null)[0];
    expect(result).toMatchObject({ verdict: 'failed', measuredMs: null });
    expect(result?.measured).toContain('never');
  });

  it('converges: every probe available and every replica following one leader, from the heal on', () => {
    // n1 answers again at 7.5 s, following n2 in term 2.
    expect(judge({ kind: 'converges', after: 'kill-leader', withinMs: 1_000 })).toMatchObject({ verdict: 'passed', measuredMs: 500 });
    expect(judge({ kind: 'converges', after: 'last-fault', withinMs: 400 })).toMatchObject({ verdict: 'failed', measuredMs: 500 });
  });

  it('converges fails with the reason when the run ends unconverged, and is inconclusive for a fault that never healed', () => {
    const stuck = leaderKillTimeline({ readings: readings(['n1', 'n2', 'n3'], -500, 10_000, (ms) => (ms < 3_000 ? 'n1' : 'n2'), () => 2, (replica, ms) => replica === 'n1' && ms >= 3_000) });
    const result = evaluateHypotheses([{ kind: 'converges', after: 'kill-leader', withinMs: 2_000 }], stuck, null)[0];
    expect(result?.verdict).toBe('failed');
    expect(result?.measured).toContain('not following n2 in term 2: n1');
    const unhealed = leaderKillTimeline({ faults: [{ id: 'kill-leader', description: 'kill n1', startMs: 1_003_000, healedMs: null, leaderBefore: 'n1', termBefore: 1, removesLeader: true }] });
    expect(evaluateHypotheses([{ kind: 'converges', after: 'kill-leader', withinMs: 2_000 }], unhealed, null)[0]?.verdict).toBe('inconclusive');
  });

  it('max-latency: the slowest successful answer', () => {
    expect(judge({ kind: 'max-latency', probe: 'kv', atMostMs: 10 })).toMatchObject({ verdict: 'passed', measuredMs: 5 });
    expect(judge({ kind: 'max-latency', probe: 'kv', atMostMs: 4 })?.verdict).toBe('failed');
  });

  it('no-lost-writes: the workload check decides', () => {
    const clean: WritesCheck = { history: 'linearizable', operations: 300, acknowledged: 290, replicasConverged: true, detail: '' };
    expect(judge({ kind: 'no-lost-writes' }, clean)?.verdict).toBe('passed');
    expect(judge({ kind: 'no-lost-writes' }, { ...clean, history: 'not-linearizable', detail: 'get of k saw v1' })).toMatchObject({ verdict: 'failed' });
    expect(judge({ kind: 'no-lost-writes' }, { ...clean, replicasConverged: false })?.verdict).toBe('failed');
    expect(judge({ kind: 'no-lost-writes' }, { ...clean, history: 'inconclusive' })?.verdict).toBe('inconclusive');
    expect(judge({ kind: 'no-lost-writes' })?.verdict).toBe('inconclusive');
  });
});
