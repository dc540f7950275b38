import type { ClusterSpec } from '../experiment.ts';
import type { YamlValue } from './yaml-reader.ts';

/**
 * `flotilla server` settings an experiment may change when it starts its own cluster. The
 * others (names, listen addresses, data directories, NATS) belong to the cluster starter.
 */
export const experimentServerFlags = ['tick-ms', 'election-ticks', 'heartbeat-ticks', 'snapshot-entries'] as const;

/** Replicas and agents one started cluster may have; more would not fit a 2-core machine anyway. */
const agentsMax = 8;

export const defaultCluster: ClusterSpec = { kind: 'start', servers: 3, agents: 0, serverFlags: [] };

/** `cluster:` — exactly one of `start`, `local` or `remote`; absent means "start 3 servers". */
export function parseCluster(value: YamlValue): ClusterSpec | null {
  if (!value.present) return defaultCluster;
  if (!value.expectMap(['start', 'local', 'remote'], 'one of start, local or remote')) return null;
  const given = value.keys().filter((key) => key === 'start' || key === 'local' || key === 'remote');
  if (given.length !== 1) return value.report(`give exactly one of start (a cluster the experiment starts), local (the directory of a running \`flotilla up\`) or remote (endpoints); found ${given.length === 0 ? 'none' : given.join(' and ')}`);
  if (given[0] === 'local') {
    const directory = value.field('local').text('the directory `flotilla up` was given');
    return directory === null ? null : { kind: 'local', directory };
  }
  if (given[0] === 'remote') return parseRemote(value.field('remote'));
  return parseStart(value.field('start'));
}

function parseStart(value: YamlValue): ClusterSpec | null {
  if (!value.present) return defaultCluster;
  if (!value.expectMap(['servers', 'agents', 'serverFlags'], 'servers, agents, serverFlags')) return null;
  const servers = value.field('servers').optionalNumber('the number of replicas', 3, 5, 3);
  if (servers !== null && servers !== 3 && servers !== 5) value.field('servers').report('must be 3 or 5 (a Raft cluster of an odd size)');
  const agents = value.field('agents').optionalNumber('the number of node agents', 0, agentsMax, 0);
  const serverFlags = parseServerFlags(value.field('serverFlags'));
  if (servers === null || (servers !== 3 && servers !== 5) || agents === null || serverFlags === null) return null;
  return { kind: 'start', servers, agents, serverFlags };
}

/** `serverFlags: {election-ticks: 20, tick-ms: 50}` → `['--election-ticks', '20', '--tick-ms', '50']`. */
function parseServerFlags(value: YamlValue): string[] | null {
  if (!value.present) return [];
  if (!value.expectMap(experimentServerFlags, `flotilla server flags without their dashes: ${experimentServerFlags.join(', ')}`)) return null;
  const flags: string[] = [];
  let valid = true;
  for (const key of value.keys()) {
    if (!(experimentServerFlags as readonly string[]).includes(key)) {
      valid = false;
      continue;
    }
    const amount = value.field(key).number(`--${key}`, 1, 1_000_000);
    if (amount === null) valid = false;
    else flags.push(`--${key}`, String(amount));
  }
  return valid ? flags : null;
}

function parseRemote(value: YamlValue): ClusterSpec | null {
  if (!value.expectMap(['etcdEndpoints', 'kubeconfig'], 'etcdEndpoints, kubeconfig')) return null;
  const endpoints = value.field('etcdEndpoints').items('HOST:PORT of each replica\'s etcd API');
  if (endpoints.length === 0) value.field('etcdEndpoints').report('is required: the HOST:PORT of each replica\'s etcd client API (its --client-listen)');
  const etcdEndpoints = endpoints.map((endpoint) => {
    const text = endpoint.text('HOST:PORT');
    if (text !== null && !/^[^\s:]+:\d+$/.test(text)) return endpoint.report(`must be HOST:PORT, got "${text}"`);
    return text;
  });
  const kubeconfig = value.field('kubeconfig').present ? value.field('kubeconfig').text('a kubeconfig file') : null;
  if (endpoints.length === 0 || etcdEndpoints.some((endpoint) => endpoint === null)) return null;
  if (value.field('kubeconfig').present && kubeconfig === null) return null;
  return { kind: 'remote', etcdEndpoints: etcdEndpoints.filter((endpoint): endpoint is string => endpoint !== null), kubeconfig };
}
