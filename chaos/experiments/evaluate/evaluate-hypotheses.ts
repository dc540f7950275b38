import { formatDuration } from '../duration.ts';
import { lastFaultId, type HypothesisSpec } from '../experiment.ts';
import type { FaultWindow, Sample, Timeline } from '../timeline/timeline.ts';
import { computeFigures, type RunFigures } from './figures.ts';

/** Inconclusive: the run could not tell (the fault it is about never happened or never healed). */
export type Verdict = 'passed' | 'failed' | 'inconclusive';

export interface HypothesisResult {
  readonly kind: HypothesisSpec['kind'];
  /** The hypothesis in words: "kv is unavailable for at most 2 s". */
  readonly statement: string;
  readonly verdict: Verdict;
  /** What was measured, in words: "510 ms (one outage, 2.95 s → 3.46 s)". */
  readonly measured: string;
  readonly measuredMs: number | null;
  readonly boundMs: number | null;
}

/** What the runner's after-run checks of the KV workload found (`no-lost-writes`). */
export interface WritesCheck {
  readonly history: 'linearizable' | 'not-linearizable' | 'inconclusive';
  readonly operations: number;
  readonly acknowledged: number;
  readonly replicasConverged: boolean;
  /** The checker's explanation of a violation, or the replicas' differing states. */
  readonly detail: string;
}

/** Judges every hypothesis on a finished timeline. Pure. */
export function evaluateHypotheses(hypotheses: readonly HypothesisSpec[], timeline: Timeline, writes: WritesCheck | null): HypothesisResult[] {
  const figures = computeFigures(timeline);
  return hypotheses.map((hypothesis) => evaluateOne(hypothesis, timeline, figures, writes));
}

function evaluateOne(hypothesis: HypothesisSpec, timeline: Timeline, figures: RunFigures, writes: WritesCheck | null): HypothesisResult {
  switch (hypothesis.kind) {
    case 'max-unavailability': {
      const probe = figures.probes[hypothesis.probe];
      const measuredMs = probe?.longestOutageMs ?? null;
      const outages = (timeline.outages[hypothesis.probe] ?? []).filter((outage) => outage.toMs === null || outage.toMs > 0);
      const gap = timeline.longestGaps[hypothesis.probe] ?? null;
      const statement = `${hypothesis.probe} is unavailable for at most ${formatDuration(hypothesis.atMostMs)} at a time`;
      if (gap === null || measuredMs === null) return { kind: hypothesis.kind, statement, verdict: 'failed', measured: 'no successful answer during the experiment', measuredMs: null, boundMs: hypothesis.atMostMs };
      const where = `${formatDuration(gap.fromMs)} → ${gap.toMs === null ? 'the end' : formatDuration(gap.toMs)}`;
      const count = `${outages.length} outage${outages.length === 1 ? '' : 's'} over the ${formatDuration(timeline.probes.find((probe) => probe.name === hypothesis.probe)?.toleranceMs ?? 0)} tolerance`;
      return bounded(hypothesis, statement, measuredMs, `longest gap between answers ${formatDuration(measuredMs)} (${where}); ${count}`);
    }
    case 'max-latency': {
      const measuredMs = figures.probes[hypothesis.probe]?.maxLatencyMs ?? null;
      const statement = `${hypothesis.probe} answers within ${formatDuration(hypothesis.atMostMs)}`;
      if (measuredMs === null) return { kind: hypothesis.kind, statement, verdict: 'failed', measured: 'no successful answer at all', measuredMs, boundMs: hypothesis.atMostMs };
      return bounded(hypothesis, statement, measuredMs, `slowest answer ${formatDuration(measuredMs)}`);
    }
    case 'max-failover':
      return evaluateFailover(hypothesis.atMostMs, figures);
    case 'converges':
      return evaluateConvergence(hypothesis.after, hypothesis.withinMs, timeline);
    case 'no-lost-writes':
      return evaluateWrites(writes);
  }
}

function bounded(hypothesis: { readonly kind: HypothesisSpec['kind']; readonly atMostMs: number }, statement: string, measuredMs: number | null, measured: string): HypothesisResult {
  const verdict: Verdict = measuredMs !== null && measuredMs <= hypothesis.atMostMs ? 'passed' : 'failed';
  return { kind: hypothesis.kind, statement, verdict, measured, measuredMs, boundMs: hypothesis.atMostMs };
}

function evaluateFailover(atMostMs: number, figures: RunFigures): HypothesisResult {
  const statement = `a new leader is elected within ${formatDuration(atMostMs)} of losing one`;
  if (figures.failovers.length === 0) return { kind: 'max-failover', statement, verdict: 'inconclusive', measured: 'no fault took the leader away', measuredMs: null, boundMs: atMostMs };
  const parts = figures.failovers.map((figure) => `${figure.faultId}: ${figure.failoverMs === null ? 'no new leader' : formatDuration(figure.failoverMs)}`);
  const measuredMs = figures.failoversMissing > 0 ? null : figures.failoverMs;
  const verdict: Verdict = measuredMs !== null && measuredMs <= atMostMs ? 'passed' : 'failed';
  return { kind: 'max-failover', statement, verdict, measured: `longest ${measuredMs === null ? 'never (no new leader by the end)' : formatDuration(measuredMs)} (${parts.join('; ')})`, measuredMs, boundMs: atMostMs };
}

/**
 * Converged at a sample: every probe available, a leader known, and every replica answering
 * with that leader in that term. The hypothesis holds when, from some sample no later than the
 * bound after the heal, every sample is converged up to the next fault (or the end).
 */
function evaluateConvergence(after: string, withinMs: number, timeline: Timeline): HypothesisResult {
  const fault = healedFault(after, timeline.faults);
  const statement = `everything is back within ${formatDuration(withinMs)} after ${after === lastFaultId ? 'the last fault' : after} heals`;
  if (fault === undefined || fault.endMs === null) return { kind: 'converges', statement, verdict: 'inconclusive', measured: 'the fault did not heal during the run', measuredMs: null, boundMs: withinMs };
  const healMs = fault.endMs;
  const nextFaultMs = Math.min(...timeline.faults.filter((other) => other.startMs > healMs).map((other) => other.startMs), Number.POSITIVE_INFINITY);
  const window = timeline.samples.filter((sample) => sample.atMs >= healMs && sample.atMs < nextFaultMs);
  let settledIndex = window.length;
  while (settledIndex > 0 && isConverged(window[settledIndex - 1]!, timeline)) settledIndex -= 1;
  if (settledIndex === window.length) {
    const last = window.at(-1);
    return { kind: 'converges', statement, verdict: 'failed', measured: `not converged by ${formatDuration(last?.atMs ?? healMs)} (${last === undefined ? 'no sample' : whyNotConverged(last, timeline)})`, measuredMs: null, boundMs: withinMs };
  }
  const measuredMs = (window[settledIndex]?.atMs ?? healMs) - healMs;
  return { kind: 'converges', statement, verdict: measuredMs <= withinMs ? 'passed' : 'failed', measured: `${formatDuration(measuredMs)} after the heal at ${formatDuration(healMs)}`, measuredMs, boundMs: withinMs };
}

function healedFault(after: string, faults: readonly FaultWindow[]): FaultWindow | undefined {
  if (after !== lastFaultId) return faults.find((fault) => fault.id === after);
  return faults.filter((fault) => fault.endMs !== null).sort((a, b) => (a.endMs ?? 0) - (b.endMs ?? 0)).at(-1);
}

export function isConverged(sample: Sample, timeline: Timeline): boolean {
  return whyNotConverged(sample, timeline) === '';
}

function whyNotConverged(sample: Sample, timeline: Timeline): string {
  const down = timeline.probes.filter((probe) => sample.probes[probe.name]?.available !== true).map((probe) => probe.name);
  if (down.length > 0) return `unavailable: ${down.join(', ')}`;
  if (sample.leader === null) return 'no leader';
  const apart = timeline.replicas.filter((replica) => {
    const state = sample.replicas[replica];
    return state === undefined || !state.reachable || state.leader !== sample.leader || state.term !== sample.term;
  });
  return apart.length === 0 ? '' : `not following ${sample.leader} in term ${sample.term}: ${apart.join(', ')}`;
}

function evaluateWrites(writes: WritesCheck | null): HypothesisResult {
  const statement = 'no acknowledged write is lost (the history is linearizable, the replicas end identical)';
  if (writes === null) return { kind: 'no-lost-writes', statement, verdict: 'inconclusive', measured: 'no workload history', measuredMs: null, boundMs: null };
  const verdict: Verdict = writes.history === 'not-linearizable' || !writes.replicasConverged ? 'failed' : writes.history === 'inconclusive' ? 'inconclusive' : 'passed';
  const history = writes.history === 'linearizable' ? 'linearizable' : writes.history === 'inconclusive' ? 'check inconclusive (search budget)' : 'NOT linearizable';
  const measured = `${writes.operations} operations (${writes.acknowledged} acknowledged): ${history}; replicas ${writes.replicasConverged ? 'identical' : 'differ'}${writes.detail === '' ? '' : ` — ${writes.detail}`}`;
  return { kind: 'no-lost-writes', statement, verdict, measured, measuredMs: null, boundMs: null };
}
