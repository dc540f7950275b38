import { createHash } from 'node:crypto';
import { proxyPortKeysOf, type ServiceView } from '../model/service-view.ts';

export interface PortRange {
  readonly first: number;
  readonly last: number;
}

/**
 * Where proxy ports come from: below Kubernetes' NodePort range (30000-32767) and below Linux's
 * ephemeral range (32768+), so no outgoing connection ever holds one.
 */
export const defaultProxyPortRange: PortRange = { first: 20_000, last: 29_999 };

export interface ProxyPortAssignment {
  readonly serviceKey: string;
  /** The Service's resourceVersion the assignment was planned from (the write's precondition). */
  readonly resourceVersion: string;
  /** The whole new annotation value: `port/protocol` → proxy port. */
  readonly ports: Readonly<Record<string, number>>;
}

function preferredPort(serviceKey: string, portKey: string, range: PortRange): number {
  const size = range.last - range.first + 1;
  return range.first + (createHash('sha256').update(`${serviceKey}#${portKey}`).digest().readUInt32BE(0) % size);
}

/**
 * The proxy-port annotations to (re)write, pure. Every proxy runs this on the same Services and the
 * writes are compare-and-swap, so proxies on many nodes converge on one assignment: a port keeps its
 * recorded number unless a Service earlier in namespace/name order holds it too; a new port starts at
 * a hash of its name (stable across clusters) and probes upwards for a free one.
 */
export function planProxyPorts(services: readonly ServiceView[], range: PortRange = defaultProxyPortRange): ProxyPortAssignment[] {
  const sorted = [...services].sort((left, right) => (left.key < right.key ? -1 : 1));
  const used = new Set<number>();
  const kept = new Map<string, Map<string, number>>();
  // First pass: recorded ports, first holder wins.
  for (const service of sorted) {
    const keep = new Map<string, number>();
    for (const portKey of proxyPortKeysOf(service)) {
      const recorded = service.proxyPorts.get(portKey);
      if (recorded === undefined || recorded < range.first || recorded > range.last || used.has(recorded)) continue;
      used.add(recorded);
      keep.set(portKey, recorded);
    }
    kept.set(service.key, keep);
  }
  const size = range.last - range.first + 1;
  const assignments: ProxyPortAssignment[] = [];
  for (const service of sorted) {
    const wanted = proxyPortKeysOf(service);
    const ports = kept.get(service.key) ?? new Map<string, number>();
    for (const portKey of wanted) {
      if (ports.has(portKey)) continue;
      const start = preferredPort(service.key, portKey, range);
      for (let step = 0; step < size; step++) {
        const candidate = range.first + ((start - range.first + step) % size);
        if (used.has(candidate)) continue;
        used.add(candidate);
        ports.set(portKey, candidate);
        break;
      }
    }
    const unchanged = ports.size === service.proxyPorts.size && [...ports].every(([key, port]) => service.proxyPorts.get(key) === port);
    if (unchanged) continue;
    const entries = [...ports].sort(([left], [right]) => (left < right ? -1 : 1));
    assignments.push({ serviceKey: service.key, resourceVersion: service.resourceVersion, ports: Object.fromEntries(entries) });
  }
  return assignments;
}
