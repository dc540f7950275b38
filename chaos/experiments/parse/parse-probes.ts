import type { ProbeSpec, ProbeTiming } from '../experiment.ts';
import type { YamlValue } from './yaml-reader.ts';

export const probeKinds = ['http', 'kv', 'deployment'] as const;

/** Probes one experiment may run: each is a loop with a request in flight. */
export const probesMax = 16;

const defaultIntervalMs = 100;
const defaultTimeoutMs = 1_000;
/** Five intervals at the default: one slow answer (on a loaded machine) is not an outage. */
const defaultToleranceMs = 500;

const timingKeys = ['name', 'kind', 'interval', 'timeout', 'tolerance'] as const;
const keysOfKind: Readonly<Record<(typeof probeKinds)[number], readonly string[]>> = {
  http: [...timingKeys, 'url', 'expectStatus'],
  kv: [...timingKeys, 'key'],
  deployment: [...timingKeys, 'deployment', 'namespace', 'readyReplicas'],
};

/** `probes:` — the steady state: each must succeed before faults begin. */
export function parseProbes(value: YamlValue): ProbeSpec[] | null {
  const items = value.items('steady-state probes');
  if (items.length > probesMax) value.report(`at most ${probesMax} probes, got ${items.length}`);
  const probes = items.map(parseProbe);
  const names = new Set<string>();
  probes.forEach((probe, index) => {
    if (probe === null) return;
    if (names.has(probe.name)) items[index]?.field('name').report(`another probe is already named "${probe.name}"; probe names must differ`);
    names.add(probe.name);
  });
  if (probes.some((probe) => probe === null) || items.length > probesMax || names.size !== probes.length) return null;
  return probes.filter((probe): probe is ProbeSpec => probe !== null);
}

function parseProbe(value: YamlValue): ProbeSpec | null {
  if (!value.isMap) return value.report('must be a mapping with name and kind (http, kv or deployment)');
  const kind = value.field('kind').choice('a probe kind', probeKinds);
  if (kind === null) return null;
  value.expectMap(keysOfKind[kind], `a ${kind} probe`);
  const timing = parseTiming(value);
  if (kind === 'http') {
    const url = value.field('url').text('the URL to GET (a Service or Ingress address)');
    if (url !== null && !/^https?:\/\//.test(url)) value.field('url').report(`must start with http:// or https://, got "${url}"`);
    const expectStatus = value.field('expectStatus').optionalNumber('the HTTP status that counts as success', 100, 599, 200);
    if (timing === null || url === null || !/^https?:\/\//.test(url) || expectStatus === null) return null;
    return { ...timing, kind, url, expectStatus };
  }
  if (kind === 'kv') {
    const key = value.field('key').optionalText('the key the probe writes and reads', `chaos/probe/${timing?.name ?? 'kv'}`);
    if (timing === null || key === null) return null;
    return { ...timing, kind, key };
  }
  const deployment = value.field('deployment').text('the Deployment\'s name');
  const namespace = value.field('namespace').optionalText('the Deployment\'s namespace', 'default');
  const readyReplicas = value.field('readyReplicas').number('the ready replicas that count as available', 0, 10_000);
  if (timing === null || deployment === null || namespace === null || readyReplicas === null) return null;
  return { ...timing, kind, deployment, namespace, readyReplicas };
}

function parseTiming(value: YamlValue): ProbeTiming | null {
  const name = value.field('name').text('the probe\'s name, used by hypotheses and in the report');
  if (name !== null && !/^[a-z0-9][a-z0-9-]*$/.test(name)) value.field('name').report(`must be lowercase letters, digits and dashes, got "${name}"`);
  const intervalMs = value.field('interval').optionalDuration('the time between attempts', 20, 60_000, defaultIntervalMs);
  const timeoutMs = value.field('timeout').optionalDuration('how long one attempt may take', 20, 60_000, defaultTimeoutMs);
  const toleranceMs = value.field('tolerance').optionalDuration('the gap between successes that counts as an outage', 20, 600_000, defaultToleranceMs);
  if (name === null || !/^[a-z0-9][a-z0-9-]*$/.test(name) || intervalMs === null || timeoutMs === null || toleranceMs === null) return null;
  if (toleranceMs < intervalMs) return value.field('tolerance').report(`must be at least the interval (${intervalMs} ms): a healthy probe answers once per interval`);
  return { name, intervalMs, timeoutMs, toleranceMs };
}
