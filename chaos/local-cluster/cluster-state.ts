import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Bump when the file's shape changes; an older file is refused with a message, never guessed at. */
export const clusterStateVersion = 1;

export type ComponentKind = 'nats' | 'relays' | 'server' | 'api-balancer' | 'agent' | 'proxy';

/** How to (re)start one component: everything a second process needs to run it again. */
export interface ComponentSpec {
  /** Unique in the cluster: `nats-1`, `relays`, `n1`, `api-balancer`, `node-1`, `proxy-node-1`. */
  readonly name: string;
  readonly kind: ComponentKind;
  /** Absolute path of the program (node, nats-server). */
  readonly command: string;
  readonly args: readonly string[];
  /** Added to the starting process's environment. */
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  /** `HOST:PORT`s it listens on (checked before a start, so a taken port is named, not guessed from a log). */
  readonly listens: readonly string[];
}

export interface ServerRecord {
  readonly name: string;
  readonly dataDir: string;
  readonly peerEndpoint: string;
  /** etcd v3 gRPC (`flotilla status --endpoints`). */
  readonly clientEndpoint: string;
  /** The Kubernetes API (HTTPS) of this replica alone. */
  readonly apiEndpoint: string;
  /** `/metrics` and `/healthz` (leader known). */
  readonly metricsEndpoint: string;
}

export interface NodeRecord {
  readonly name: string;
  /** The node's own loopback address (127.0.0.x): its pods' endpoints, its proxy's listeners. */
  readonly address: string;
  readonly dataDir: string;
  /** Ingress HTTP on `address:ingressHttpPort`. */
  readonly ingressHttpPort: number;
  readonly agent: string;
  /** The separate proxy component, or null when the agent runs the proxy itself (`agent --proxy`). */
  readonly proxy: string | null;
}

/** One directed replica link: `from` dials `127.0.0.1:listenPort`, which relays to `to`'s peer port. */
export interface RelayLinkRecord {
  readonly from: string;
  readonly to: string;
  readonly listenPort: number;
  readonly targetPort: number;
}

/**
 * What `flotilla up` started, in `<dir>/state.json`: enough for another process (`flotilla down`,
 * `flotilla status`, a chaos experiment) to find every component and act on it. Live pids are kept
 * apart, one small file per component (process-identity-file.ts), so two processes acting on
 * different components never overwrite each other's writes.
 */
export interface ClusterState {
  readonly version: typeof clusterStateVersion;
  readonly directory: string;
  /** NATS subject prefix `flotilla.<clusterName>`. */
  readonly clusterName: string;
  readonly natsUrls: readonly string[];
  readonly servers: readonly ServerRecord[];
  readonly nodes: readonly NodeRecord[];
  readonly relays: { readonly controlEndpoint: string; readonly links: readonly RelayLinkRecord[] };
  /** The stable API address (`https://<endpoint>` in the kubeconfig) and the balancer's status endpoint. */
  readonly apiBalancer: { readonly endpoint: string; readonly controlEndpoint: string };
  readonly kubeconfigPath: string;
  /** In start order; stopped in reverse. */
  readonly components: readonly ComponentSpec[];
}

export class ClusterStateError extends Error {
  override readonly name = 'ClusterStateError';
}

export function stateFilePath(directory: string): string {
  return join(directory, 'state.json');
}

/** Written to a temporary file and renamed, so a reader never sees half a file. */
export async function writeClusterState(state: ClusterState): Promise<void> {
  const path = stateFilePath(state.directory);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(temporary, path);
}

/** The state in `directory`, or null when there is none (no cluster was ever started there). */
export async function readClusterState(directory: string): Promise<ClusterState | null> {
  let text: string;
  try {
    text = await readFile(stateFilePath(directory), 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  return parseClusterState(text, stateFilePath(directory));
}

/** Checks the shape, so a hand-edited or foreign file fails here with its path, not later with a crash. */
export function parseClusterState(text: string, source: string): ClusterState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ClusterStateError(`${source} is not JSON; remove it (and the cluster's directory) to start over`);
  }
  if (!isRecord(parsed)) throw new ClusterStateError(`${source} is not a cluster state object`);
  if (parsed['version'] !== clusterStateVersion) {
    throw new ClusterStateError(`${source} has version ${String(parsed['version'])}; this flotilla reads version ${clusterStateVersion}`);
  }
  const problems = [
    ...requireStrings(parsed, ['directory', 'clusterName', 'kubeconfigPath']),
    ...requireArrays(parsed, ['natsUrls', 'servers', 'nodes', 'components']),
    ...(isRecord(parsed['relays']) && Array.isArray(parsed['relays']['links']) ? [] : ['relays.links']),
    ...(isRecord(parsed['apiBalancer']) && typeof parsed['apiBalancer']['endpoint'] === 'string' ? [] : ['apiBalancer.endpoint']),
  ];
  const components = Array.isArray(parsed['components']) ? parsed['components'] : [];
  components.forEach((component, index) => {
    if (!isRecord(component) || typeof component['name'] !== 'string' || typeof component['command'] !== 'string' || !Array.isArray(component['args'])) {
      problems.push(`components[${index}]`);
    }
  });
  if (problems.length > 0) throw new ClusterStateError(`${source} is missing or has malformed: ${problems.join(', ')}`);
  return parsed as unknown as ClusterState;
}

export function componentOf(state: ClusterState, name: string): ComponentSpec {
  const component = state.components.find((candidate) => candidate.name === name);
  if (component === undefined) {
    throw new ClusterStateError(`no component named "${name}"; the cluster has ${state.components.map((candidate) => candidate.name).join(', ')}`);
  }
  return component;
}

function requireStrings(record: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((key) => typeof record[key] !== 'string');
}

function requireArrays(record: Record<string, unknown>, keys: readonly string[]): string[] {
  return keys.filter((key) => !Array.isArray(record[key]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isMissingFile(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
