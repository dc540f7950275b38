import { formatDuration } from '../duration.ts';
import type { Sample, Timeline } from '../timeline/timeline.ts';
import { chartFrame, faultBands, leaderMarks, svg, timeAxis, type ChartFrame } from './chart-frame.ts';
import { element, escapeMarkup } from './markup.ts';

interface Segment<State> {
  readonly fromMs: number;
  readonly toMs: number;
  readonly state: State;
}

/** Consecutive samples in the same state, as one segment each (one rectangle, not one per sample). */
function segments<State>(timeline: Timeline, stateOf: (sample: Sample) => State): Segment<State>[] {
  const result: Segment<State>[] = [];
  for (const sample of timeline.samples) {
    const state = stateOf(sample);
    const last = result.at(-1);
    const toMs = Math.min(sample.atMs + timeline.stepMs, timeline.durationMs);
    if (last !== undefined && last.state === state) result[result.length - 1] = { ...last, toMs };
    else result.push({ fromMs: sample.atMs, toMs, state });
  }
  return result;
}

/** One probe: an availability strip over a latency plot, fault windows shaded, leader changes marked. */
export function probeChart(timeline: Timeline, probe: string): string {
  const frame = chartFrame(timeline.durationMs);
  const [stripTop, stripBottom, plotTop, plotBottom] = [18, 34, 44, 144];
  const strip = segments(timeline, (sample) => sample.probes[probe]?.available ?? false)
    .map((segment) => element('rect', { x: frame.x(segment.fromMs), y: stripTop, width: Math.max(frame.x(segment.toMs) - frame.x(segment.fromMs), 0.5), height: stripBottom - stripTop, class: segment.state ? 'up' : 'down' }))
    .join('');
  const latencies = timeline.samples.map((sample) => sample.probes[probe]?.latencyMs ?? null);
  const maxLatency = niceCeiling(Math.max(1, ...latencies.filter((latency): latency is number => latency !== null)));
  const y = (latencyMs: number): number => plotBottom - (latencyMs / maxLatency) * (plotBottom - plotTop);
  const lines = latencyPolylines(timeline, latencies, frame, y);
  const failures = timeline.samples
    .filter((sample) => (sample.probes[probe]?.failed ?? 0) > 0)
    .map((sample) => element('rect', { x: frame.x(sample.atMs) - 1.5, y: plotTop - 6, width: 3, height: 4, class: 'failure' }))
    .join('');
  const labels = [
    element('text', { x: frame.left - 6, y: stripBottom - 3, class: 'row-label', 'text-anchor': 'end' }, 'available'),
    element('text', { x: frame.left - 6, y: plotTop + 8, class: 'row-label', 'text-anchor': 'end' }, escapeMarkup(formatDuration(maxLatency))),
    element('text', { x: frame.left - 6, y: plotBottom, class: 'row-label', 'text-anchor': 'end' }, '0 ms'),
    element('text', { x: frame.left - 6, y: (plotTop + plotBottom) / 2, class: 'row-label', 'text-anchor': 'end' }, 'latency'),
  ].join('');
  const body = faultBands(frame, timeline, stripTop - 8, plotBottom, true) + strip + element('rect', { x: frame.left, y: plotTop, width: frame.right - frame.left, height: plotBottom - plotTop, class: 'plot' }) + lines + failures + leaderMarks(frame, timeline, stripTop - 8, plotBottom, true) + labels + timeAxis(frame, plotBottom + 4);
  return svg(frame, plotBottom + 26, `availability and latency of ${probe}`, body);
}

function latencyPolylines(timeline: Timeline, latencies: readonly (number | null)[], frame: ChartFrame, y: (latencyMs: number) => number): string {
  const runs: string[][] = [[]];
  latencies.forEach((latency, index) => {
    const sample = timeline.samples[index];
    if (latency === null || sample === undefined) {
      if ((runs.at(-1)?.length ?? 0) > 0) runs.push([]);
      return;
    }
    runs.at(-1)?.push(`${Math.round(frame.x(sample.atMs) * 10) / 10},${Math.round(y(latency) * 10) / 10}`);
  });
  return runs
    .filter((points) => points.length > 0)
    .map((points) => (points.length === 1 ? element('circle', { cx: Number(points[0]?.split(',')[0]), cy: Number(points[0]?.split(',')[1]), r: 1.5, class: 'latency-dot' }) : element('polyline', { points: points.join(' '), class: 'latency' })))
    .join('');
}

/** 1, 2 or 5 × a power of ten at or above the value: readable axis maxima. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((factor) => factor * power >= value) ?? 10) * power;
}

type ReplicaState = 'leader' | 'follower' | 'no-leader' | 'unreachable';

/** One row per replica: leading, following, without a leader, or not answering; fault windows and leader changes over them. */
export function replicasChart(timeline: Timeline): string {
  const frame = chartFrame(timeline.durationMs);
  const rowHeight = 18;
  const top = 18;
  const rows = timeline.replicas
    .map((replica, index) => {
      const rowTop = top + index * (rowHeight + 4);
      const stateOf = (sample: Sample): ReplicaState => {
        const state = sample.replicas[replica];
        if (state === undefined || !state.reachable) return 'unreachable';
        if (state.leader === null) return 'no-leader';
        return state.leader === replica ? 'leader' : 'follower';
      };
      const bars = segments(timeline, stateOf)
        .map((segment) => element('rect', { x: frame.x(segment.fromMs), y: rowTop, width: Math.max(frame.x(segment.toMs) - frame.x(segment.fromMs), 0.5), height: rowHeight, class: `replica-${segment.state}` }, element('title', {}, escapeMarkup(`${replica}: ${segment.state} ${formatDuration(segment.fromMs)} → ${formatDuration(segment.toMs)}`))))
        .join('');
      return bars + element('text', { x: frame.left - 6, y: rowTop + 13, class: 'row-label', 'text-anchor': 'end' }, escapeMarkup(replica));
    })
    .join('');
  const bottom = top + timeline.replicas.length * (rowHeight + 4);
  const body = rows + faultBands(frame, timeline, top - 8, bottom, true) + leaderMarks(frame, timeline, top - 8, bottom, true) + timeAxis(frame, bottom + 2);
  return svg(frame, bottom + 24, 'replica roles over time', body);
}

/** Ready and total pods over time (step lines). */
export function podsChart(timeline: Timeline): string | null {
  if (timeline.samples.every((sample) => sample.pods === null)) return null;
  const frame = chartFrame(timeline.durationMs);
  const [top, bottom] = [16, 96];
  const most = Math.max(1, ...timeline.samples.map((sample) => sample.pods?.total ?? 0));
  const y = (count: number): number => bottom - (count / most) * (bottom - top);
  const line = (pick: (pods: { ready: number; total: number }) => number, className: string): string => {
    const points = timeline.samples.filter((sample) => sample.pods !== null).map((sample) => `${Math.round(frame.x(sample.atMs) * 10) / 10},${Math.round(y(pick(sample.pods ?? { ready: 0, total: 0 })) * 10) / 10}`);
    return points.length === 0 ? '' : element('polyline', { points: points.join(' '), class: className });
  };
  const labels = element('text', { x: frame.left - 6, y: top + 8, class: 'row-label', 'text-anchor': 'end' }, String(most)) + element('text', { x: frame.left - 6, y: bottom, class: 'row-label', 'text-anchor': 'end' }, '0');
  const body = faultBands(frame, timeline, top - 8, bottom, true) + element('rect', { x: frame.left, y: top, width: frame.right - frame.left, height: bottom - top, class: 'plot' }) + line((pods) => pods.total, 'pods-total') + line((pods) => pods.ready, 'pods-ready') + leaderMarks(frame, timeline, top - 8, bottom, false) + labels + timeAxis(frame, bottom + 4);
  return svg(frame, bottom + 26, 'pods ready and total', body);
}
