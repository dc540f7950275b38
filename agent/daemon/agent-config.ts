import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { parseNatsSettings, type NatsOptions, type NatsSettings } from '../../control-plane/nats/protocol/index.ts';
import type { NodeTaint } from '../node/node-object.ts';

/** The flags of `flotilla agent`, as given. */
export interface AgentFlags extends NatsSettings {
  readonly nodeName?: string | undefined;
  readonly labels?: string | undefined;
  readonly taints?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly nodeIp?: string | undefined;
  readonly runtime?: string | undefined;
  readonly usageReportInterval?: string | undefined;
  /** How this node's proxy listens (the proxy's --listen-mode): what the containers' Service variables point at. */
  readonly listenMode?: string | undefined;
}

export interface AgentConfig {
  readonly nodeName: string;
  readonly nats: NatsOptions;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly NodeTaint[];
  readonly dataDir: string;
  readonly nodeIp: string;
  /** What a pod without runtimeClassName runs on. */
  readonly runtime: 'process' | 'oci';
  /** How often cpu/memory usage is measured and reported (metrics.k8s.io), in ms. */
  readonly usageReportIntervalMs: number;
  /**
   * How this node's proxy listens, for the Service variables when no proxy runs in this process
   * (with --proxy, the mode that proxy chose): auto = cluster IPs as root on Linux, else proxy ports.
   */
  readonly serviceListenMode: ServiceListenMode;
}

export type ServiceListenMode = 'auto' | 'cluster-ip' | 'ports';

function isServiceListenMode(value: string): value is ServiceListenMode {
  return value === 'auto' || value === 'cluster-ip' || value === 'ports';
}

export const defaultAgentDataDir = '/var/lib/flotilla/agent';
/** metrics-server's default resolution. */
export const defaultUsageReportIntervalSeconds = 15;

/** A configuration that cannot run; each problem names the flag and what to do. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';

  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelName = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

/** Validates every flag at once; throws AgentConfigError listing every problem. */
export function resolveAgentConfig(flags: AgentFlags): AgentConfig {
  const problems: string[] = [];
  const nodeName = (flags.nodeName ?? '').trim();
  if (nodeName === '') problems.push('--node-name is required (the name this machine registers as, e.g. worker-1)');
  else if (nodeName.length > 253 || !dnsSubdomain.test(nodeName)) problems.push(`--node-name: "${nodeName}" must be a DNS name: lowercase letters, digits, "-" and "." (at most 253)`);
  const nats = parseNatsSettings(flags, problems);
  if (nats === null && (flags.nats ?? '').trim() === '') problems.push('--nats URL[,URL] is required (the NATS servers of the cluster, e.g. nats://10.0.0.1:4222)');
  const labels = parseLabels(flags.labels ?? '', problems);
  const taints = parseTaints(flags.taints ?? '', problems);
  const runtime = (flags.runtime ?? 'process').trim();
  if (runtime !== 'process' && runtime !== 'oci') problems.push(`--runtime: expected "process" (commands on the host) or "oci" (images, through crun/runc and podman), got "${runtime}"`);
  const nodeIp = (flags.nodeIp ?? '').trim() || defaultNodeIp();
  if (isIP(nodeIp) === 0) problems.push(`--node-ip: "${nodeIp}" is not an IP address`);
  const dataDir = (flags.dataDir ?? '').trim() || defaultAgentDataDir;
  const interval = Number((flags.usageReportInterval ?? '').trim() || String(defaultUsageReportIntervalSeconds));
  if (!Number.isInteger(interval) || interval < 1 || interval > 3600) problems.push(`--usage-report-interval: expected whole seconds from 1 to 3600, got "${flags.usageReportInterval ?? ''}"`);
  const serviceListenMode = (flags.listenMode ?? 'auto').trim();
  if (!isServiceListenMode(serviceListenMode)) problems.push(`--listen-mode: expected auto, cluster-ip or ports, got "${serviceListenMode}"`);
  if (problems.length > 0 || nats === null || !isServiceListenMode(serviceListenMode)) throw new AgentConfigError(problems);
  return { nodeName, nats, labels, taints, dataDir, nodeIp, runtime: runtime === 'oci' ? 'oci' : 'process', usageReportIntervalMs: interval * 1000, serviceListenMode };
}

function parseLabels(text: string, problems: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const part of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const separator = part.indexOf('=');
    const key = separator < 0 ? part : part.slice(0, separator);
    const value = separator < 0 ? '' : part.slice(separator + 1);
    if (separator < 0 || !isLabelKey(key) || value.length > 63 || !labelName.test(value)) {
      problems.push(`--labels: expected KEY=VALUE (KEY like app or example.com/role, VALUE at most 63 letters, digits, "-", "_", "."), got "${part}"`);
      continue;
    }
    labels[key] = value;
  }
  return labels;
}

function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? '' : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  return name !== '' && name.length <= 63 && labelName.test(name) && (prefix === '' || (prefix.length <= 253 && dnsSubdomain.test(prefix)));
}

function parseTaints(text: string, problems: string[]): NodeTaint[] {
  const taints: NodeTaint[] = [];
  for (const part of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const colon = part.lastIndexOf(':');
    const effect = colon < 0 ? '' : part.slice(colon + 1);
    const keyValue = colon < 0 ? part : part.slice(0, colon);
    const equals = keyValue.indexOf('=');
    const key = equals < 0 ? keyValue : keyValue.slice(0, equals);
    const value = equals < 0 ? undefined : keyValue.slice(equals + 1);
    if (!(effects as readonly string[]).includes(effect) || !isLabelKey(key) || (value !== undefined && !labelName.test(value))) {
      problems.push(`--taints: expected KEY[=VALUE]:EFFECT with EFFECT one of ${effects.join(', ')}, got "${part}"`);
      continue;
    }
    taints.push({ key, ...(value === undefined ? {} : { value }), effect: effect as NodeTaint['effect'] });
  }
  return taints;
}

/** The first non-internal IPv4 address, as kubelet picks one; loopback when there is none. */
function defaultNodeIp(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}
