import type { Experiment, KvWorkloadSpec, PodSelection, SetupManifest } from '../experiment.ts';
import { parseCluster } from './parse-cluster.ts';
import { parseFaults } from './parse-faults.ts';
import { parseHypotheses } from './parse-hypotheses.ts';
import { parseProbes } from './parse-probes.ts';
import type { ExperimentProblem } from './problems.ts';
import { YamlValue } from './yaml-reader.ts';

export const experimentKeys = ['name', 'description', 'cluster', 'duration', 'steadyStateTimeout', 'setup', 'probes', 'workload', 'pods', 'faults', 'hypotheses'] as const;

/** Workload clients and keys: a larger history would make the linearizability check too slow. */
const workloadClientsMax = 16;
const workloadKeysMax = 64;
/** The longest experiment: its timeline holds one sample per 100 ms. */
export const experimentDurationMaxMs = 30 * 60_000;

export type ParseResult = { readonly ok: true; readonly experiment: Experiment } | { readonly ok: false; readonly problems: readonly ExperimentProblem[] };

/**
 * Reads an experiment file. Pure apart from `readManifest`, which the caller gives (relative to
 * the experiment file) so tests need no files; it returns null for a file that cannot be read.
 */
export function parseExperiment(text: string, readManifest: (path: string) => string | null): ParseResult {
  const { root, problems } = YamlValue.parse(text);
  if (problems.length > 0) return { ok: false, problems };
  if (!root.expectMap(experimentKeys, 'an experiment')) return { ok: false, problems };
  const name = root.field('name').text('the experiment\'s name');
  const description = root.field('description').optionalText('what the experiment shows', '');
  const cluster = parseCluster(root.field('cluster'));
  const durationMs = root.field('duration').duration('how long faults and observation run', 1_000, experimentDurationMaxMs);
  const steadyStateTimeoutMs = root.field('steadyStateTimeout').optionalDuration('how long the probes may take to all succeed first', 1_000, 600_000, 60_000);
  const setup = parseSetup(root.field('setup'), readManifest);
  const probes = parseProbes(root.field('probes'));
  if (probes !== null && probes.length === 0) root.field('probes').report('is required: at least one steady-state probe (kind http, kv or deployment)');
  const workload = parseWorkload(root.field('workload'));
  const pods = parsePods(root.field('pods'));
  const faults = parseFaults(root.field('faults'), durationMs);
  const hypotheses = parseHypotheses(root.field('hypotheses'), { probes, faults, workload: workload === 'invalid' ? null : workload, durationMs });
  if (problems.length > 0) return { ok: false, problems };
  if (name === null || description === null || cluster === null || durationMs === null || steadyStateTimeoutMs === null || setup === null) return { ok: false, problems };
  if (probes === null || workload === 'invalid' || pods === 'invalid' || faults === null || hypotheses === null) return { ok: false, problems };
  return { ok: true, experiment: { name, description, cluster, durationMs, steadyStateTimeoutMs, setup, probes, workload, pods, faults, hypotheses } };
}

function parseSetup(value: YamlValue, readManifest: (path: string) => string | null): SetupManifest[] | null {
  const manifests = value.items('Kubernetes manifest files, relative to the experiment file').map((item): SetupManifest | null => {
    const source = item.text('a manifest file');
    if (source === null) return null;
    const text = readManifest(source);
    return text === null ? item.report(`cannot read "${source}" (paths are relative to the experiment file)`) : { source, text };
  });
  return manifests.some((manifest) => manifest === null) ? null : manifests.filter((manifest): manifest is SetupManifest => manifest !== null);
}

function parseWorkload(value: YamlValue): KvWorkloadSpec | null | 'invalid' {
  if (!value.present) return null;
  if (!value.expectMap(['clients', 'keys'], 'clients, keys')) return 'invalid';
  const clients = value.field('clients').optionalNumber('concurrent KV clients', 1, workloadClientsMax, 4);
  const keys = value.field('keys').optionalNumber('keys the clients share', 1, workloadKeysMax, 4);
  return clients === null || keys === null ? 'invalid' : { clients, keys };
}

function parsePods(value: YamlValue): PodSelection | null | 'invalid' {
  if (!value.present) return null;
  if (!value.expectMap(['namespace', 'selector'], 'namespace, selector')) return 'invalid';
  const namespace = value.field('namespace').optionalText('the namespace whose pods are counted', 'default');
  const labelSelector = value.field('selector').optionalText('a label selector such as app=web', '');
  return namespace === null || labelSelector === null ? 'invalid' : { namespace, labelSelector };
}
