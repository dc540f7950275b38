import type { ComponentTarget, Experiment, FaultAction, LinkSelection, PartitionSide } from '../experiment.ts';
import type { ExperimentCluster } from './experiment-cluster.ts';
import { resolveProbeUrl } from './probe-addresses.ts';

/**
 * What the file asks that this cluster cannot do: unknown component names, faults on a cluster
 * that cannot be faulted, Kubernetes probes without an API. Checked before anything runs.
 */
export function checkAgainstCluster(experiment: Experiment, cluster: ExperimentCluster): string[] {
  const problems: string[] = [];
  const servers = cluster.servers.map((server) => server.name);
  const components = cluster.components.map((component) => component.name);
  if (experiment.faults.length > 0 && cluster.control === null) problems.push(`faults: ${cluster.faultsUnavailable}`);
  experiment.faults.forEach((fault, index) => {
    for (const problem of targetProblems(fault.action, servers, components)) problems.push(`faults[${index}] (${fault.id}): ${problem}`);
  });
  for (const probe of experiment.probes) {
    if (probe.kind !== 'http') continue;
    const { unknown } = resolveProbeUrl(probe.url, cluster.addresses);
    const known = Object.keys(cluster.addresses);
    if (unknown.length > 0) problems.push(`probes.${probe.name}.url: ${unknown.map((name) => `{{${name}}}`).join(', ')} is not an address of ${cluster.description}; it has ${known.length === 0 ? 'none' : known.map((name) => `{{${name}}}`).join(', ')}`);
  }
  const needsApi = experiment.probes.filter((probe) => probe.kind === 'deployment').map((probe) => `probes.${probe.name}`);
  if (experiment.pods !== null) needsApi.push('pods');
  if (experiment.setup.length > 0) needsApi.push('setup');
  if (needsApi.length > 0 && cluster.kubeconfigPath === null) problems.push(`${needsApi.join(', ')}: need the Kubernetes API, which ${cluster.description} does not serve`);
  return problems;
}

function targetProblems(action: FaultAction, servers: readonly string[], components: readonly string[]): string[] {
  switch (action.kind) {
    case 'kill':
    case 'pause':
    case 'restart':
      return named(action.target, components, 'component');
    case 'partition':
      return sideProblems(action.isolate, servers);
    case 'delay':
    case 'loss':
      return linkProblems(action.links, servers);
  }
}

function named(target: ComponentTarget, known: readonly string[], what: string): string[] {
  if (target.kind === 'leader' || known.includes(target.name)) return [];
  return [`no ${what} named "${target.name}"; ${what}s: ${known.join(', ')} (or "leader")`];
}

function sideProblems(side: PartitionSide, servers: readonly string[]): string[] {
  if (side.kind === 'replica') return named(side.target, servers, 'server');
  if (side.kind !== 'groups') return [];
  return side.groups.flat().flatMap((name) => named({ kind: 'named', name }, servers, 'server'));
}

function linkProblems(links: LinkSelection, servers: readonly string[]): string[] {
  if (links.kind === 'all') return [];
  if (links.kind === 'replica') return named(links.target, servers, 'server');
  return [...named(links.from, servers, 'server'), ...named(links.to, servers, 'server')];
}
