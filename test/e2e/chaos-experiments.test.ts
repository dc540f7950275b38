/**
 * `flotilla chaos run` end to end on real processes: the shipped leader-kill experiment on a
 * cluster it starts itself (3 servers behind fault relays), then the same experiment with a
 * longer election timeout, then `flotilla chaos report` comparing the two. ~1 minute per run on
 * a quiet 2-core machine. `npm run chaos -- run experiments/<file>` runs the other experiments.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExperiment, runChaosReportCommand, runChaosRunCommand, type RunSummary, type Timeline } from '../../chaos/experiments/index.ts';

const experimentFile = resolve(fileURLToPath(import.meta.url), '../../../experiments/leader-kill.yaml');

async function readRun(directory: string): Promise<{ summary: RunSummary; timeline: Timeline; report: string }> {
  return {
    summary: JSON.parse(await readFile(join(directory, 'summary.json'), 'utf8')) as RunSummary,
    timeline: JSON.parse(await readFile(join(directory, 'timeline.json'), 'utf8')) as Timeline,
    report: await readFile(join(directory, 'report.html'), 'utf8'),
  };
}

describe('chaos experiments on a cluster they start', () => {
  let root: string;
  const lines: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'flotilla-chaos-experiments-'));
  });

  afterAll(() => {
    // Run directories stay in the temp dir for whoever wants to read a failing run's logs.
    if (lines.length > 0) console.log(`chaos experiment runs in ${root}`);
  });

  it('leader kill: the leader changes, the unavailability is measured and within the experiment\'s bound, nothing acknowledged is lost', async () => {
    const out = join(root, 'default');
    const code = await runChaosRunCommand({ file: experimentFile, outDirectory: out }, print);
    const { summary, timeline, report } = await readRun(out);
    expect([0, 1], lines.join('\n')).toContain(code);
    const parsed = parseExperiment(await readFile(experimentFile, 'utf8'), () => null);
    if (!parsed.ok) throw new Error('the shipped experiment does not parse');
    const bound = parsed.experiment.hypotheses.find((hypothesis) => hypothesis.kind === 'max-unavailability');
    // The leader changed after the kill, to another replica, in a higher term.
    const [fault] = timeline.faults;
    expect(fault?.removesLeader).toBe(true);
    const change = timeline.leaderChanges.find((candidate) => candidate.atMs >= (fault?.startMs ?? 0));
    expect(change?.to).not.toBe(fault?.leaderBefore);
    expect(summary.figures.failoverMs).toBeGreaterThan(0);
    // The probe's unavailability window was measured, and is below the experiment's bound.
    const unavailability = summary.figures.probes['kv']?.longestOutageMs ?? null;
    expect(unavailability).toBeGreaterThan(0);
    expect(unavailability).toBeLessThanOrEqual(bound?.kind === 'max-unavailability' ? bound.atMostMs : 0);
    expect(summary.hypotheses.find((result) => result.kind === 'no-lost-writes')?.verdict).toBe('passed');
    expect(timeline.samples).toHaveLength(timeline.durationMs / timeline.stepMs + 1);
    expect(report).toContain('kill-leader');
    expect(report).toContain(`${change?.to ?? '?'} (term ${change?.term ?? '?'})`);
  }, 240_000);

  it('the same experiment with a 1 s election timeout, and a comparison of the two runs', async () => {
    const slowFile = join(root, 'leader-kill-slow-election.yaml');
    const text = (await readFile(experimentFile, 'utf8')).replace('  start:\n    servers: 3\n', '  start:\n    servers: 3\n    serverFlags: {election-ticks: 20, tick-ms: 50}\n');
    await writeFile(slowFile, text);
    const out = join(root, 'slow-election');
    const code = await runChaosRunCommand({ file: slowFile, outDirectory: out }, print);
    expect([0, 1], lines.join('\n')).toContain(code);
    const { summary } = await readRun(out);
    expect(summary.serverFlags).toEqual(['--election-ticks', '20', '--tick-ms', '50']);
    expect(summary.figures.leaderChanges).toBeGreaterThanOrEqual(1);

    const printed: string[] = [];
    const comparison = join(root, 'comparison.html');
    expect(await runChaosReportCommand({ runDirectories: [join(root, 'default'), out], outFile: comparison }, (line) => printed.push(line))).toBe(0);
    const [header, first, second] = printed.join('\n').split('\n');
    expect(header).toMatch(/^RUN\s+EXPERIMENT\s+FAILOVER\s+UNAVAILABILITY WINDOW/);
    expect(first).toMatch(/^default \(default flags\)\s+leader-kill\s+\d/);
    expect(second).toMatch(/^slow-election \(--election-ticks 20 --tick-ms 50\)\s+leader-kill\s+\d/);
    const html = await readFile(comparison, 'utf8');
    expect(html).toContain('slow-election (--election-ticks 20 --tick-ms 50)');
    expect(await runChaosReportCommand({ runDirectories: [root] }, () => undefined)).toBe(2);
  }, 240_000);
});
