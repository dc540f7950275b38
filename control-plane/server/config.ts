import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { formatHostPort, parseHostPort, type HostPort, type InitialClusterMember } from '../../store/index.ts';
import { parseNatsSettings, type NatsOptions } from '../nats/protocol/index.ts';

/** Every setting, by its flag name (`--data-dir`) — the config file uses the very same keys. */
export const serverSettingKeys = [
  'name',
  'data-dir',
  'peer-listen',
  'client-listen',
  'initial-cluster',
  'initial-cluster-state',
  'cluster-token',
  'advertise-client-url',
  'tick-ms',
  'election-ticks',
  'heartbeat-ticks',
  'snapshot-entries',
  'metrics-listen',
  'api-listen',
  'api-san',
  'nats',
  'nats-user',
  'nats-password',
  'nats-nkey-seed-file',
  'nats-tls-ca',
  'nats-tls-cert',
  'nats-tls-key',
  'cluster-name',
  'join-listen',
  'nats-advertise',
  'auto-promote',
] as const;

export type ServerSettingKey = (typeof serverSettingKeys)[number];
export type ServerSettings = Partial<Record<ServerSettingKey, string | number>>;

export interface ServerConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly peerListen: HostPort;
  readonly clientListen: HostPort;
  /** The URL other members and `MemberList` give for this member's client API. */
  readonly advertiseClientUrl: string;
  readonly initialCluster: readonly InitialClusterMember[];
  readonly initialClusterState: 'new' | 'existing';
  readonly clusterToken: string | null;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotEntries: number;
  /** Null: no metrics endpoint. */
  readonly metricsListen: HostPort | null;
  /** The Kubernetes API (HTTPS); null: not served. */
  readonly apiListen: HostPort | null;
  /** Extra names (DNS or IP) for this replica's serving certificate, beyond localhost, 127.0.0.1 and the --api-listen host. */
  readonly apiSans: readonly string[];
  /** NATS for the node agents (control-plane/nats); null: no agents are served. */
  readonly nats: NatsOptions | null;
  /** The join service (control-plane/server/join/); null: not served. */
  readonly joinListen: HostPort | null;
  /** NATS URLs handed to agents that join (default: the --nats URLs that are not loopback). */
  readonly natsAdvertise: readonly string[];
  /** While a learner, ask to be promoted once caught up (written by flotilla join). */
  readonly autoPromote: boolean;
}

/**
 * Defaults (documented in control-plane/server/README.md). The Raft timing is the driver's
 * (raftNodeDefaults): a 50 ms tick, heartbeats every tick, an election timeout of 6 ticks
 * (randomized to [300, 600) ms), for sub-second failover on a LAN.
 */
export const serverDefaults = {
  'initial-cluster-state': 'new',
  'tick-ms': 50,
  'election-ticks': 6,
  'heartbeat-ticks': 1,
  'snapshot-entries': 10_000,
} as const;

/** A configuration that cannot run; each problem names the setting and what to do. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Reads `--config FILE` (YAML, same keys as the flags) and lets flags override it. */
export async function loadServerConfig(flags: ServerSettings, configFile: string | null): Promise<ServerConfig> {
  const fromFile = configFile === null ? {} : await readConfigFile(configFile);
  const merged: ServerSettings = { ...fromFile };
  for (const key of serverSettingKeys) {
    const value = flags[key];
    if (value !== undefined) merged[key] = value;
  }
  return resolveServerConfig(merged);
}

async function readConfigFile(path: string): Promise<ServerSettings> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`--config: cannot read ${path} (${(error as Error).message})`]);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`--config: ${path} is not valid YAML (${(error as Error).message})`]);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError([`--config: ${path} must be a mapping of settings (key: value)`]);
  const problems: string[] = [];
  const settings: ServerSettings = {};
  for (const [key, entry] of Object.entries(value)) {
    if (!(serverSettingKeys as readonly string[]).includes(key)) {
      problems.push(`--config: unknown key "${key}" in ${path} (known: ${serverSettingKeys.join(', ')})`);
    } else if (typeof entry === 'string' || typeof entry === 'number' || typeof entry === 'boolean') {
      settings[key as ServerSettingKey] = typeof entry === 'boolean' ? String(entry) : entry;
    } else {
      problems.push(`--config: "${key}" in ${path} must be a string or a number`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return settings;
}

/** Validates and completes settings; throws ConfigError listing every problem at once. */
export function resolveServerConfig(settings: ServerSettings): ServerConfig {
  const problems: string[] = [];
  const text = (key: ServerSettingKey): string | null => {
    const value = settings[key];
    return value === undefined ? null : String(value).trim();
  };
  const required = (key: ServerSettingKey, hint: string): string => {
    const value = text(key);
    if (value === null || value === '') problems.push(`--${key} is required (${hint})`);
    return value ?? '';
  };
  const address = (key: ServerSettingKey, value: string | null): HostPort | null => {
    if (value === null || value === '') return null;
    const parsed = parseHostPort(value);
    if (parsed === null) problems.push(`--${key}: expected HOST:PORT (e.g. 127.0.0.1:2380), got "${value}"`);
    return parsed;
  };
  const integer = (key: ServerSettingKey, min: number, max: number): number => {
    const value = settings[key] ?? serverDefaults[key as keyof typeof serverDefaults];
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`--${key}: expected a whole number from ${min} to ${max}, got "${String(value)}"`);
      return min;
    }
    return parsed;
  };

  const name = required('name', 'this member\'s name, as in --initial-cluster');
  if (name !== '' && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name)) {
    problems.push(`--name: use letters, digits, ".", "_" or "-" (at most 63), got "${name}"`);
  }
  const dataDir = required('data-dir', 'where this member keeps its database');
  const peerListen = address('peer-listen', required('peer-listen', 'HOST:PORT for Raft traffic between members'));
  const clientListen = address('client-listen', required('client-listen', 'HOST:PORT for the etcd v3 gRPC API'));
  const initialCluster = parseInitialCluster(required('initial-cluster', 'NAME=HOST:PORT,... of every member'), problems);
  if (name !== '' && initialCluster.length > 0 && !initialCluster.some((member) => member.name === name)) {
    problems.push(`--initial-cluster must list this member (--name ${name}) with its peer address`);
  }
  const state = text('initial-cluster-state') ?? serverDefaults['initial-cluster-state'];
  if (state !== 'new' && state !== 'existing') problems.push(`--initial-cluster-state: expected "new" or "existing", got "${state}"`);
  const tickMs = integer('tick-ms', 1, 60_000);
  const electionTicks = integer('election-ticks', 2, 10_000);
  const heartbeatTicks = integer('heartbeat-ticks', 1, 10_000);
  if (heartbeatTicks >= electionTicks) problems.push(`--heartbeat-ticks (${heartbeatTicks}) must be smaller than --election-ticks (${electionTicks})`);
  const snapshotEntries = integer('snapshot-entries', 1, 100_000_000);
  const metricsListen = address('metrics-listen', text('metrics-listen'));
  const apiListen = address('api-listen', text('api-listen'));
  const apiSans = (text('api-san') ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const optional = (key: ServerSettingKey): string | undefined => text(key) ?? undefined;
  const nats = parseNatsSettings({
    nats: optional('nats'), natsUser: optional('nats-user'), natsPassword: optional('nats-password'), natsNkeySeedFile: optional('nats-nkey-seed-file'),
    natsTlsCa: optional('nats-tls-ca'), natsTlsCert: optional('nats-tls-cert'), natsTlsKey: optional('nats-tls-key'), clusterName: optional('cluster-name'),
  }, problems);
  if (nats !== null && apiListen === null) problems.push('--nats needs --api-listen (agents are served from this replica\'s Kubernetes API object layer)');
  for (const name of apiSans) if (!/^[A-Za-z0-9.:*-]+$/.test(name)) problems.push(`--api-san: "${name}" is not a DNS name or IP address`);
  const joinListen = address('join-listen', text('join-listen'));
  const natsAdvertise = (text('nats-advertise') ?? '').split(',').map((url) => url.trim()).filter((url) => url !== '');
  for (const url of natsAdvertise) if (!/^(nats|tls):\/\/[^\s/]+:\d{1,5}$/.test(url)) problems.push(`--nats-advertise: expected nats://HOST:PORT (or tls://), got "${url}"`);
  const autoPromote = text('auto-promote') ?? 'false';
  if (autoPromote !== 'true' && autoPromote !== 'false') problems.push(`--auto-promote: expected true or false, got "${autoPromote}"`);
  const token = text('cluster-token');
  if (token === '') problems.push('--cluster-token: must not be empty when given');
  const advertised = text('advertise-client-url');
  if (advertised !== null && parseHostPort(advertised.replace(/^https?:\/\//, '')) === null) {
    problems.push(`--advertise-client-url: expected http://HOST:PORT, got "${advertised}"`);
  }
  if (problems.length > 0 || peerListen === null || clientListen === null) throw new ConfigError(problems);
  return {
    name,
    dataDir,
    peerListen,
    clientListen,
    advertiseClientUrl: advertised ?? defaultClientUrl(clientListen),
    initialCluster,
    initialClusterState: state === 'existing' ? 'existing' : 'new',
    clusterToken: token,
    tickMs,
    electionTicks,
    heartbeatTicks,
    snapshotEntries,
    metricsListen,
    apiListen,
    apiSans,
    nats,
    joinListen,
    natsAdvertise: natsAdvertise.length > 0 ? natsAdvertise : (nats?.servers ?? []).filter((url) => !/^(nats:\/\/|tls:\/\/)?(127\.|localhost|\[?::1\]?)/.test(url)),
    autoPromote: autoPromote === 'true',
  };
}

/** A wildcard listen address is not reachable as such: advertise the host name instead. */
function defaultClientUrl(listen: HostPort): string {
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  return `http://${formatHostPort(wildcard ? { host: hostname(), port: listen.port } : listen)}`;
}

export function parseInitialCluster(value: string, problems: string[]): InitialClusterMember[] {
  if (value === '') return [];
  const members: InitialClusterMember[] = [];
  for (const part of value.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const separator = part.indexOf('=');
    const name = separator < 0 ? '' : part.slice(0, separator).trim();
    const address = separator < 0 ? null : parseHostPort(part.slice(separator + 1).replace(/^https?:\/\//, ''));
    if (name === '' || address === null) {
      problems.push(`--initial-cluster: expected NAME=HOST:PORT, got "${part}"`);
      continue;
    }
    if (members.some((member) => member.name === name)) problems.push(`--initial-cluster: "${name}" is listed twice`);
    members.push({ name, address });
  }
  return members;
}
