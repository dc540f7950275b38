import { basename } from 'node:path';
import { formatDuration } from '../duration.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { probeChart, replicasChart } from './charts.ts';
import { escapeMarkup as text } from './markup.ts';
import { hypothesesTable, legend, page, section } from './render-run-report.ts';
import type { RunSummary } from './run-summary.ts';

export interface LoadedRun {
  readonly directory: string;
  readonly summary: RunSummary;
  readonly timeline: Timeline;
}

/** A run's name in a comparison: its directory, and the server flags that distinguish it. */
export function runLabel(run: LoadedRun): string {
  const flags = run.summary.serverFlags.length === 0 ? 'default flags' : run.summary.serverFlags.join(' ');
  return `${basename(run.directory)} (${flags})`;
}

interface ComparisonRow {
  readonly label: string;
  readonly experiment: string;
  readonly failover: string;
  readonly unavailability: string;
  readonly maxLatency: string;
  readonly hypotheses: string;
}

function rowOf(run: LoadedRun): ComparisonRow {
  const figures = run.summary.figures;
  const failover = figures.failoversMissing > 0 ? 'no new leader' : figures.failoverMs === null ? '—' : formatDuration(figures.failoverMs);
  const probes = Object.entries(figures.probes);
  const unavailability = probes.map(([name, probe]) => `${name} ${probe.longestOutageMs === null ? 'never answered' : formatDuration(probe.longestOutageMs)}`).join(', ') || '—';
  const maxLatency = probes.map(([name, probe]) => `${name} ${probe.maxLatencyMs === null ? '—' : formatDuration(probe.maxLatencyMs)}`).join(', ') || '—';
  const passed = run.summary.hypotheses.filter((result) => result.verdict === 'passed').length;
  const hypotheses = `${passed}/${run.summary.hypotheses.length} passed${run.summary.hypotheses.some((result) => result.verdict === 'failed') ? ` (failed: ${run.summary.hypotheses.filter((result) => result.verdict === 'failed').map((result) => result.kind).join(', ')})` : ''}`;
  return { label: runLabel(run), experiment: run.summary.experiment.name, failover, unavailability, maxLatency, hypotheses };
}

const columns: readonly [keyof ComparisonRow, string][] = [
  ['label', 'RUN'],
  ['experiment', 'EXPERIMENT'],
  ['failover', 'FAILOVER'],
  ['unavailability', 'UNAVAILABILITY WINDOW'],
  ['maxLatency', 'MAX LATENCY'],
  ['hypotheses', 'HYPOTHESES'],
];

/** The comparison as a plain-text table, one row per run, columns padded to line up. */
export function comparisonText(runs: readonly LoadedRun[]): string {
  const rows = runs.map(rowOf);
  const widths = columns.map(([key, title]) => Math.max(title.length, ...rows.map((row) => row[key].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  return [line(columns.map(([, title]) => title)), ...rows.map((row) => line(columns.map(([key]) => row[key])))].join('\n');
}

/** The comparison as one HTML page: the table, then each run's hypotheses and charts, one under another. */
export function renderComparison(runs: readonly LoadedRun[]): string {
  const rows = runs.map(rowOf);
  const table = `<table><thead><tr>${columns.map(([, title]) => `<th>${text(title.toLowerCase())}</th>`).join('')}</tr></thead><tbody>${rows.map((row) => `<tr>${columns.map(([key]) => `<td>${text(row[key])}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  const perRun = runs.map((run) => {
    const probes = run.timeline.probes.map((probe) => `<p class="muted">probe ${text(probe.name)}: ${text(probe.target)}</p>${probeChart(run.timeline, probe.name)}`).join('');
    return section(runLabel(run), `<p class="muted">${text(run.summary.cluster)} · started ${text(run.summary.startedAt)} · <span class="verdict ${run.summary.verdict}">${run.summary.verdict}</span></p>${hypothesesTable(run.summary.hypotheses)}${replicasChart(run.timeline)}${probes}`);
  });
  const intro = `<h1>Comparison of ${runs.length} chaos runs</h1><p class="muted">Failover: from the fault that took the leader away to the first sample with a new leader. Unavailability window: the longest gap between two successful answers of a probe.</p>`;
  return page(`comparison of ${runs.length} chaos runs`, [intro, table, legend([['replica-leader', 'leader'], ['replica-follower', 'follower'], ['replica-no-leader', 'no leader known'], ['replica-unreachable', 'not answering'], ['up', 'available'], ['down', 'unavailable'], ['fault', 'fault window']]), ...perRun].join('\n'));
}
