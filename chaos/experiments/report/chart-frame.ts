import { formatDuration } from '../duration.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { element, escapeMarkup } from './markup.ts';

/** The drawing area of every chart: the same time scale, so charts line up one under another. */
export interface ChartFrame {
  readonly width: number;
  readonly left: number;
  readonly right: number;
  readonly durationMs: number;
  x(ms: number): number;
}

export const chartWidth = 960;
const marginLeft = 110;
const marginRight = 20;

export function chartFrame(durationMs: number): ChartFrame {
  const plotWidth = chartWidth - marginLeft - marginRight;
  const span = Math.max(durationMs, 1);
  return {
    width: chartWidth,
    left: marginLeft,
    right: chartWidth - marginRight,
    durationMs: span,
    x: (ms) => marginLeft + (Math.min(Math.max(ms, 0), span) / span) * plotWidth,
  };
}

/** Fault windows as shaded bands, each labelled at its top. */
export function faultBands(frame: ChartFrame, timeline: Timeline, top: number, bottom: number, labelled: boolean): string {
  return timeline.faults
    .map((fault) => {
      const from = frame.x(fault.startMs);
      const to = frame.x(fault.endMs ?? timeline.durationMs);
      const band = element('rect', { x: from, y: top, width: Math.max(to - from, 1), height: bottom - top, class: 'fault' }, element('title', {}, escapeMarkup(`${fault.id}: ${fault.description}`)));
      return labelled ? band + element('text', { x: from + 3, y: top + 11, class: 'fault-label' }, escapeMarkup(fault.id)) : band;
    })
    .join('');
}

/** Leader changes as dashed vertical lines, labelled with the new leader and term. */
export function leaderMarks(frame: ChartFrame, timeline: Timeline, top: number, bottom: number, labelled: boolean): string {
  return timeline.leaderChanges
    .map((change) => {
      const x = frame.x(change.atMs);
      const line = element('line', { x1: x, x2: x, y1: top, y2: bottom, class: 'leader-change' });
      const text = `${change.to}${change.term === null ? '' : ` (term ${change.term})`}`;
      return labelled ? line + element('text', { x: x + 3, y: bottom - 3, class: 'leader-label' }, escapeMarkup(text)) : line;
    })
    .join('');
}

/** Time ticks under a chart, about every eighth of the run, on round values. */
export function timeAxis(frame: ChartFrame, y: number): string {
  const stepMs = roundStep(frame.durationMs / 8);
  const ticks: string[] = [];
  for (let ms = 0; ms <= frame.durationMs; ms += stepMs) {
    const x = frame.x(ms);
    ticks.push(element('line', { x1: x, x2: x, y1: y, y2: y + 4, class: 'axis' }) + element('text', { x, y: y + 15, class: 'tick', 'text-anchor': 'middle' }, escapeMarkup(formatDuration(ms))));
  }
  return element('line', { x1: frame.left, x2: frame.right, y1: y, y2: y, class: 'axis' }) + ticks.join('');
}

function roundStep(roughMs: number): number {
  const steps = [100, 200, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000];
  return steps.find((step) => step >= roughMs) ?? 600_000;
}

export function svg(frame: ChartFrame, height: number, label: string, body: string): string {
  return element('svg', { xmlns: 'http://www.w3.org/2000/svg', width: frame.width, height, viewBox: `0 0 ${frame.width} ${height}`, role: 'img', 'aria-label': label }, body);
}
