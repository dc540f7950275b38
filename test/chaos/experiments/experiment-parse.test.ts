import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatProblems, parseExperiment, type ExperimentProblem } from '../../../chaos/experiments/index.ts';

const noFiles = (): string | null => null;

function problemsOf(text: string): readonly ExperimentProblem[] {
  const result = parseExperiment(text, noFiles);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

const minimal = `name: leader-kill
duration: 10s
probes:
  - {name: kv, kind: kv}
faults:
  - {id: kill, kind: kill, target: leader, at: 2s, for: 3s}
hypotheses:
  - {kind: max-unavailability, probe: kv, atMost: 2s}
  - {kind: converges, within: 3s}
`;

describe('experiment files', () => {
  it('reads a minimal experiment with its defaults (3 started servers, probe timing, fault ids)', () => {
    const result = parseExperiment(minimal, noFiles);
    if (!result.ok) throw new Error(formatProblems('x.yaml', result.problems));
    const { experiment } = result;
    expect(experiment.cluster).toEqual({ kind: 'start', servers: 3, agents: 0, serverFlags: [] });
    expect(experiment.durationMs).toBe(10_000);
    expect(experiment.probes[0]).toEqual({ name: 'kv', kind: 'kv', key: 'chaos/probe/kv', intervalMs: 100, timeoutMs: 1_000, toleranceMs: 500 });
    expect(experiment.faults[0]).toEqual({ id: 'kill', atMs: 2_000, forMs: 3_000, action: { kind: 'kill', target: { kind: 'leader' } } });
    expect(experiment.hypotheses[1]).toEqual({ kind: 'converges', after: 'last-fault', withinMs: 3_000 });
  });

  it('turns server flags into arguments and knows partitions, links and loss', () => {
    const result = parseExperiment(`name: x
duration: 20s
cluster: {start: {servers: 5, serverFlags: {election-ticks: 20, tick-ms: 50}}}
probes: [{name: kv, kind: kv}]
faults:
  - {kind: partition, isolate: majority, withLeader: true, at: 1s, for: 2s}
  - {kind: partition, groups: [[n1], [n2, n3]], at: 4s, for: 1s}
  - {kind: delay, delay: 100ms, links: {replica: leader}, at: 6s, for: 1s}
  - {kind: loss, rate: 0.3, links: {between: [n1, n2]}, at: 8s}
hypotheses: [{kind: max-failover, atMost: 1s}]
`, noFiles);
    if (!result.ok) throw new Error(formatProblems('x.yaml', result.problems));
    const { experiment } = result;
    expect(experiment.cluster).toEqual({ kind: 'start', servers: 5, agents: 0, serverFlags: ['--election-ticks', '20', '--tick-ms', '50'] });
    expect(experiment.faults.map((fault) => fault.id)).toEqual(['fault-1', 'fault-2', 'fault-3', 'fault-4']);
    expect(experiment.faults[0]?.action).toEqual({ kind: 'partition', isolate: { kind: 'majority', withLeader: true } });
    expect(experiment.faults[1]?.action).toEqual({ kind: 'partition', isolate: { kind: 'groups', groups: [['n1'], ['n2', 'n3']] } });
    expect(experiment.faults[2]?.action).toEqual({ kind: 'delay', delayMs: 100, links: { kind: 'replica', target: { kind: 'leader' } } });
    expect(experiment.faults[3]).toMatchObject({ forMs: null, action: { kind: 'loss', rate: 0.3, links: { kind: 'between', from: { kind: 'named', name: 'n1' }, to: { kind: 'named', name: 'n2' } } } });
  });

  it('says where each mistake is and what to write instead, all at once', () => {
    const problems = problemsOf(`name: leader-kill
duraton: 10s
probes:
  - name: kv
    kind: kvv
  - name: web
    kind: http
    url: ftp://example
    interval: 100
faults:
  - kind: kill
    target: leader
    at: 2s
cluster:
  start: {servers: 4, serverFlags: {election-tick: 3}}
hypotheses: [{kind: max-unavailability, probe: kv, atMost: 2s}]
`);
    const text = formatProblems('leader-kill.yaml', problems);
    expect(text).toContain('leader-kill.yaml:2:1: duraton: unknown key "duraton" (did you mean "duration"?)');
    expect(text).toContain('leader-kill.yaml:5:11: probes[0].kind: "kvv" is not a probe kind (did you mean "kv"?); use one of: http, kv, deployment');
    expect(text).toContain('leader-kill.yaml:9:15: probes[1].interval: must be a duration such as 500ms, 2s or 1m (the time between attempts), got 100 — add a unit: 100ms or 100s');
    expect(text).toContain('leader-kill.yaml:8:10: probes[1].url: must start with http:// or https://');
    expect(text).toContain('cluster.start.servers: must be 3 or 5');
    expect(text).toContain('unknown key "election-tick" (did you mean "election-ticks"?)');
    expect(text).toContain('duration: is required');
    // In file order, as one fixes them.
    const lines = problems.map((problem) => problem.line ?? 0);
    expect(text.split('\n').map((line) => Number(line.split(':')[1]))).toEqual([...lines].sort((a, b) => a - b));
  });

  it('checks references between sections: probes, fault ids, the workload, the duration', () => {
    const text = formatProblems('x.yaml', problemsOf(`name: x
duration: 5s
probes: [{name: kv, kind: kv}]
faults:
  - {id: cut, kind: partition, isolate: leader, at: 1s, for: 2s}
  - {id: cut, kind: pause, target: n2, at: 4s, for: 3s}
hypotheses:
  - {kind: max-latency, probe: web, atMost: 1s}
  - {kind: converges, after: nope, within: 1s}
  - {kind: no-lost-writes}
`));
    expect(text).toContain('faults[1].for: the fault ends at 7000 ms, after the experiment (duration 5000 ms)');
    expect(text).toContain('hypotheses[0].probe: no probe is named "web"; probes: kv');
    expect(text).toContain('hypotheses[2]: needs a workload section');
    const converges = formatProblems('x.yaml', problemsOf(`name: x
duration: 5s
probes: [{name: kv, kind: kv}]
faults: [{id: cut, kind: partition, isolate: leader, at: 1s, for: 2s}]
hypotheses: [{kind: converges, after: cut, within: 3s}]
`));
    expect(converges).toContain('lengthen duration to at least 6000 ms');
  });

  it('answers YAML syntax errors with their line, and an empty file with what is required', () => {
    expect(formatProblems('x.yaml', problemsOf('name: [unclosed\n'))).toMatch(/^x\.yaml:\d+:\d+: YAML syntax/);
    const empty = formatProblems('x.yaml', problemsOf('name: x\n'));
    expect(empty).toContain('probes: is required');
    expect(empty).toContain('hypotheses: is required');
  });

  it('reads setup manifests through the given reader, relative names kept for messages', () => {
    const result = parseExperiment(`${minimal}setup: [manifests/web.yaml]\n`, (path) => (path === 'manifests/web.yaml' ? 'kind: ConfigMap' : null));
    expect(result.ok && result.experiment.setup).toEqual([{ source: 'manifests/web.yaml', text: 'kind: ConfigMap' }]);
    expect(formatProblems('x.yaml', problemsOf(`${minimal}setup: [missing.yaml]\n`))).toContain('cannot read "missing.yaml"');
  });

  it('parses every shipped experiment', () => {
    const directory = resolve(dirname(fileURLToPath(import.meta.url)), '../../../experiments');
    const files = readdirSync(directory).filter((name) => name.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const path = join(directory, file);
      const result = parseExperiment(readFileSync(path, 'utf8'), (manifest) => readFileSync(join(directory, manifest), 'utf8'));
      expect(result.ok ? 'ok' : formatProblems(file, result.problems), file).toBe('ok');
    }
  });
});
