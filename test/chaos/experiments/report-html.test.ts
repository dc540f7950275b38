import { describe, expect, it } from 'vitest';
import { comparisonText, computeFigures, evaluateHypotheses, renderComparison, renderRunReport, type RunSummary, type Timeline } from '../../../chaos/experiments/index.ts';
import { leaderKillTimeline } from './hand-made-runs.ts';

const voidElements = new Set(['meta']);

/** Every tag closed in order, attributes quoted: the page parses the same in any browser (and as XML). */
function assertWellFormed(html: string): void {
  const body = html.replace(/^<!DOCTYPE html>\n/, '').replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  const stack: string[] = [];
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z0-9:-]+="[^"<>]*")*)\s*(\/?)>/g)) {
    const [, closing, name = '', , selfClosing] = match;
    if (selfClosing === '/' || voidElements.has(name)) continue;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open ?? 'nothing'}>`);
    } else stack.push(name);
  }
  expect(stack).toEqual([]);
  // Nothing that looks like a tag was left unmatched by the pattern (a stray < or an unquoted attribute).
  expect(body.replace(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z0-9:-]+="[^"<>]*")*)\s*(\/?)>/g, '')).not.toMatch(/[<>]/);
}

function summaryOf(timeline: Timeline, name = 'leader-kill', serverFlags: string[] = []): RunSummary {
  const hypotheses = evaluateHypotheses([
    { kind: 'max-unavailability', probe: 'kv', atMostMs: 1_000 },
    { kind: 'max-failover', atMostMs: 400 },
  ], timeline, null);
  return {
    version: 1,
    experiment: { name, description: 'kill -9 of the <leader> & more', file: `${name}.yaml` },
    cluster: '3 servers started by the experiment',
    serverFlags,
    startedAt: timeline.startedAt,
    durationMs: timeline.durationMs,
    interrupted: false,
    verdict: 'failed',
    hypotheses,
    figures: computeFigures(timeline),
  };
}

describe('the HTML reports', () => {
  it('renders one run as a well-formed, self-contained page with the verdicts and the figures', () => {
    const timeline = leaderKillTimeline();
    const html = renderRunReport(summaryOf(timeline), timeline);
    assertWellFormed(html);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/);
    expect(html.match(/https?:\/\/[^"]*/g)?.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true);
    // Names are escaped, never markup.
    expect(html).toContain('kill -9 of the &lt;leader&gt; &amp; more');
    expect(html).toContain('<span class="verdict passed">passed</span></td><td>kv is unavailable for at most 1 s at a time');
    expect(html).toContain('<span class="verdict failed">failed</span></td><td>a new leader is elected within 400 ms');
    expect(html).toContain('<b>500 ms</b><span class="muted">failover (leader lost → new leader)</span>');
    expect(html).toContain('<b>700 ms</b><span class="muted">kv: unavailability window</span>');
    expect(html).toContain('kill n1 (the leader)');
    // The fault window is shaded, the leader change marked, and the probe charted.
    expect(html).toMatch(/<rect x="[\d.]+" y="\d+" width="[\d.]+" height="\d+" class="fault">/);
    expect(html).toContain('class="leader-change"');
    expect(html).toContain('n2 (term 2)');
    expect(html).toContain('class="down"');
    expect(html).toContain('<polyline points=');
  });

  it('compares runs in a text table and one well-formed page', () => {
    const fast = leaderKillTimeline();
    const runs = [
      { directory: '/runs/leader-kill-300ms', summary: summaryOf(fast), timeline: fast },
      { directory: '/runs/leader-kill-1s', summary: summaryOf(fast, 'leader-kill', ['--election-ticks', '20']), timeline: fast },
    ];
    const text = comparisonText(runs);
    const [header, first, second] = text.split('\n');
    expect(header).toMatch(/^RUN\s+EXPERIMENT\s+FAILOVER\s+UNAVAILABILITY WINDOW\s+MAX LATENCY\s+HYPOTHESES$/);
    expect(first).toMatch(/^leader-kill-300ms \(default flags\)\s+leader-kill\s+500 ms\s+kv 700 ms\s+kv 5 ms\s+1\/2 passed \(failed: max-failover\)$/);
    expect(second).toContain('leader-kill-1s (--election-ticks 20)');
    const html = renderComparison(runs);
    assertWellFormed(html);
    expect(html).toContain('<td>leader-kill-1s (--election-ticks 20)</td>');
    expect(html.match(/<svg /g)?.length).toBe(4);
  });
});
