import { formatDuration } from '../duration.ts';
import type { HypothesisResult } from '../evaluate/evaluate-hypotheses.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { podsChart, probeChart, replicasChart } from './charts.ts';
import { escapeMarkup as text } from './markup.ts';
import type { RunSummary } from './run-summary.ts';
import { reportStyles } from './styles.ts';

/**
 * The report of one run as one self-contained HTML page (inline CSS and SVG, no script, no
 * font or image to fetch): the verdict first, then what was done and when, each hypothesis with
 * its measured figure, and the charts on one time scale. Pure.
 */
export function renderRunReport(summary: RunSummary, timeline: Timeline): string {
  const body = [
    header(summary),
    section('Hypotheses', hypothesesTable(summary.hypotheses)),
    section('Figures', figures(summary, timeline)),
    section('Faults', faultsTable(timeline)),
    section('Replicas', legend([['replica-leader', 'leader'], ['replica-follower', 'follower'], ['replica-no-leader', 'no leader known'], ['replica-unreachable', 'not answering'], ['fault', 'fault window']]) + replicasChart(timeline) + leaderChangesList(timeline)),
    ...timeline.probes.map((probe) => section(`Probe ${probe.name}`, `<p class="muted">${text(probe.target)}; an outage is a gap of more than ${text(formatDuration(probe.toleranceMs))} between answers.</p>${legend([['up', 'available'], ['down', 'unavailable'], ['failure', 'failed attempt'], ['fault', 'fault window']])}${probeChart(timeline, probe.name)}`)),
    podsSection(timeline),
    `<p class="muted">One sample per ${timeline.stepMs} ms; times from t = 0, when the steady state held (${text(timeline.startedAt)}).${timeline.droppedObservations > 0 ? ` ${timeline.droppedObservations} observations over the limit were dropped.` : ''} Data: timeline.json, summary.json.</p>`,
  ].join('\n');
  return page(`${summary.experiment.name}: ${summary.verdict}`, body);
}

export function page(title: string, body: string): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"/><title>${text(title)}</title><style>${reportStyles}</style></head>\n<body>\n${body}\n</body></html>\n`;
}

export function section(title: string, content: string): string {
  return `<h2>${text(title)}</h2>\n${content}`;
}

function header(summary: RunSummary): string {
  const description = summary.experiment.description === '' ? '' : `<p>${text(summary.experiment.description)}</p>`;
  return `<h1>${text(summary.experiment.name)} <span class="verdict ${summary.verdict}">${summary.verdict}</span></h1>
${description}<p class="muted">${text(summary.experiment.file)} · ${text(summary.cluster)} · ${text(formatDuration(summary.durationMs))} from ${text(summary.startedAt)}${summary.interrupted ? ' · <b>interrupted</b>' : ''}</p>`;
}

export function hypothesesTable(results: readonly HypothesisResult[]): string {
  const rows = results.map((result) => `<tr><td><span class="verdict ${result.verdict}">${result.verdict}</span></td><td>${text(result.statement)}</td><td>${text(result.measured)}</td></tr>`);
  return `<table><thead><tr><th>verdict</th><th>hypothesis</th><th>measured</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function figures(summary: RunSummary, timeline: Timeline): string {
  const cards: [string, string][] = [];
  const failover = summary.figures.failoverMs;
  const failoverText = summary.figures.failoversMissing > 0 ? 'no new leader' : failover === null ? 'no leader lost' : formatDuration(failover);
  cards.push(['failover (leader lost → new leader)', failoverText]);
  cards.push(['leader changes', String(summary.figures.leaderChanges)]);
  for (const probe of timeline.probes) {
    const figure = summary.figures.probes[probe.name];
    if (figure === undefined) continue;
    cards.push([`${probe.name}: unavailability window`, figure.longestOutageMs === null ? 'never answered' : formatDuration(figure.longestOutageMs)]);
    cards.push([`${probe.name}: max latency`, figure.maxLatencyMs === null ? '—' : formatDuration(figure.maxLatencyMs)]);
  }
  return `<div class="figures">${cards.map(([label, value]) => `<div class="figure"><b>${text(value)}</b><span class="muted">${text(label)}</span></div>`).join('')}</div>`;
}

function faultsTable(timeline: Timeline): string {
  if (timeline.faults.length === 0) return '<p class="muted">No faults: a baseline run.</p>';
  const rows = timeline.faults.map((fault) => `<tr><td>${text(fault.id)}</td><td>${text(fault.description)}</td><td class="number">${text(formatDuration(fault.startMs))}</td><td class="number">${fault.endMs === null ? 'at the end' : text(formatDuration(fault.endMs))}</td></tr>`);
  return `<table><thead><tr><th>id</th><th>what was done</th><th>at</th><th>healed</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function leaderChangesList(timeline: Timeline): string {
  if (timeline.leaderChanges.length === 0) return '<p class="muted">The leader did not change.</p>';
  const items = timeline.leaderChanges.map((change) => `<li>${text(formatDuration(change.atMs))}: ${text(change.from ?? 'none')} → <b>${text(change.to)}</b>${change.term === null ? '' : ` (term ${change.term})`}</li>`);
  return `<ul>${items.join('')}</ul>`;
}

function podsSection(timeline: Timeline): string {
  const chart = podsChart(timeline);
  return chart === null ? '' : section('Pods', `${legend([['pods-ready-swatch', 'ready'], ['pods-total-swatch', 'total']])}${chart}`);
}

export function legend(entries: readonly [string, string][]): string {
  return `<p class="legend muted">${entries.map(([className, label]) => `<span class="${className}" style="background: ${swatchColor(className)}"></span>${text(label)}`).join('')}</p>`;
}

/** Legend swatches are HTML, not SVG: they take the fill colours as backgrounds. */
function swatchColor(className: string): string {
  const colors: Readonly<Record<string, string>> = {
    'replica-leader': '#1f4e8c', 'replica-follower': '#9cc2ec', 'replica-no-leader': '#f2b134', 'replica-unreachable': '#e74c3c',
    fault: 'rgba(242,177,52,0.35)', up: '#2ecc71', down: '#e74c3c', failure: '#c0392b', 'pods-ready-swatch': '#1f8a4c', 'pods-total-swatch': '#9aa4af',
  };
  return colors[className] ?? '#999';
}
