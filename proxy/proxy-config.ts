import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { parseNatsSettings, type NatsOptions, type NatsSettings } from '../control-plane/nats/protocol/index.ts';
import type { PortRange } from './core/proxy-port-plan.ts';
import { defaultProxyPortRange } from './core/proxy-port-plan.ts';

/** A bad flag: the message says what to fix (the command exits 2). */
export class ProxyConfigError extends Error {
  override readonly name = 'ProxyConfigError';
}

export type ListenModeSetting = 'auto' | 'cluster-ip' | 'ports';

/** The flags of `flotilla proxy` (and of `flotilla agent --proxy`), as given; the NATS ones are the agent's. */
export interface ProxyFlags extends NatsSettings {
  readonly nodeName?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly nodeIp?: string;
  readonly listenAddress?: string;
  readonly httpPort?: string;
  readonly httpsPort?: string;
  readonly dnsPort?: string;
  readonly listenMode?: string;
  readonly proxyPortRange?: string;
}

export interface ProxyConfig {
  readonly nodeName: string;
  readonly source: { readonly kind: 'kubeconfig'; readonly path: string; readonly context: string | null } | { readonly kind: 'nats'; readonly nats: NatsOptions };
  readonly nodeAddress: string;
  readonly listenAddress: string;
  /** null: off (the flag was 0). */
  readonly httpPort: number | null;
  readonly httpsPort: number | null;
  readonly dnsPort: number | null;
  readonly listenMode: ListenModeSetting;
  readonly proxyPortRange: PortRange;
}

const nodeNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function port(flag: string, value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) throw new ProxyConfigError(`${flag} must be a port from 1 to 65535 (0 turns it off), got "${value}".`);
  return parsed === 0 ? null : parsed;
}

function rangeOf(value: string | undefined): PortRange {
  if (value === undefined) return defaultProxyPortRange;
  const match = /^(\d+)-(\d+)$/.exec(value);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (match === null || first < 1 || last > 65_535 || first > last) throw new ProxyConfigError(`--proxy-port-range must be FIRST-LAST within 1-65535, got "${value}".`);
  return { first, last };
}

/** The first non-internal IPv4 address of this host (what other nodes most likely reach it on). */
export function defaultNodeAddress(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

/** The NATS servers, credentials and cluster name (the same flags and checks as `flotilla agent`'s). */
function natsOptionsOf(flags: ProxyFlags): NatsOptions {
  const problems: string[] = [];
  const options = parseNatsSettings(flags, problems);
  if (problems.length > 0 || options === null) throw new ProxyConfigError(problems.join('; ') || '--nats: give at least one HOST:PORT.');
  return options;
}

/** Checks `flotilla proxy` flags and applies defaults; throws ProxyConfigError saying what to fix. */
export function parseProxyFlags(flags: ProxyFlags): ProxyConfig {
  const nodeName = flags.nodeName ?? '';
  if (nodeName === '') throw new ProxyConfigError('--node-name is required (the Node this proxy serves, e.g. --node-name worker-1).');
  if (!nodeNamePattern.test(nodeName) || nodeName.length > 253) throw new ProxyConfigError(`--node-name must be a DNS subdomain (lowercase letters, digits, "-" and "."), got "${nodeName}".`);
  if ((flags.kubeconfig === undefined) === (flags.nats === undefined)) throw new ProxyConfigError('give exactly one of --kubeconfig FILE or --nats URL (where Services and EndpointSlices come from).');
  const nodeAddress = flags.nodeIp ?? defaultNodeAddress();
  if (isIP(nodeAddress) === 0) throw new ProxyConfigError(`--node-ip must be an IP address, got "${nodeAddress}".`);
  const listenAddress = flags.listenAddress ?? (flags.nodeIp === undefined ? '0.0.0.0' : nodeAddress);
  if (isIP(listenAddress) === 0) throw new ProxyConfigError(`--listen-address must be an IP address, got "${listenAddress}".`);
  const listenMode = flags.listenMode ?? 'auto';
  if (listenMode !== 'auto' && listenMode !== 'cluster-ip' && listenMode !== 'ports') throw new ProxyConfigError(`--listen-mode must be auto, cluster-ip or ports, got "${listenMode}".`);
  if (flags.kubeconfig !== undefined) {
    const problems: string[] = [];
    parseNatsSettings(flags, problems);
    if (problems.length > 0) throw new ProxyConfigError(problems.join('; '));
  }
  const source = flags.kubeconfig !== undefined
    ? { kind: 'kubeconfig' as const, path: flags.kubeconfig, context: flags.context ?? null }
    : { kind: 'nats' as const, nats: natsOptionsOf(flags) };
  return {
    nodeName,
    source,
    nodeAddress,
    listenAddress,
    httpPort: port('--http-port', flags.httpPort, 80),
    httpsPort: port('--https-port', flags.httpsPort, 443),
    dnsPort: port('--dns-port', flags.dnsPort, 53),
    listenMode,
    proxyPortRange: rangeOf(flags.proxyPortRange),
  };
}
