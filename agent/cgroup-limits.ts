import type { ResourceRequirements } from './pod-types.ts';
import { parseQuantity } from './quantity.ts';

/** kubelet's CFS period (100 ms) and smallest quota (1 ms), and cpu.shares' range. */
export const CpuDefaults = {
  periodMicros: 100_000,
  quotaMicrosMin: 1_000,
  sharesMin: 2,
  sharesMax: 262_144,
} as const;

/** What a container's cgroup is given, from its resources (pure). */
export interface CgroupLimits {
  readonly memoryBytes?: number;
  readonly cpuQuotaMicros?: number;
  readonly cpuShares?: number;
  /** The requests and limits these enforce, in the spec's own quantities (ContainerStatus.resources). */
  readonly enforced: ResourceRequirements;
}

export interface CgroupWrite {
  /** Which hierarchy (v1); v2 has one. */
  readonly controller: 'memory' | 'cpu';
  readonly file: string;
  readonly value: string;
  /** Absent on some kernels (swap accounting off): skipped then. */
  readonly optional?: boolean;
}

/**
 * kubelet's mapping: memory limit → the memory limit; cpu limit → CFS quota over a 100 ms period
 * (at least 1 ms); cpu request (or the limit, which Kubernetes defaults it to) → cpu.shares
 * (1024 per core, at least 2). A memory request is a scheduling quantity only and is not enforced.
 * Nothing is written for what the spec leaves out (no limit means no limit).
 */
export function limitsFor(resources: ResourceRequirements | undefined): CgroupLimits {
  const memoryLimit = resources?.limits?.['memory'];
  const cpuLimit = resources?.limits?.['cpu'];
  const cpuRequest = resources?.requests?.['cpu'] ?? cpuLimit;
  const memoryBytes = memoryLimit === undefined ? undefined : parseQuantity(memoryLimit);
  const cpuLimitCores = cpuLimit === undefined ? undefined : parseQuantity(cpuLimit);
  const cpuRequestCores = cpuRequest === undefined ? undefined : parseQuantity(cpuRequest);
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  const result: { memoryBytes?: number; cpuQuotaMicros?: number; cpuShares?: number } = {};
  if (memoryBytes !== undefined && memoryBytes > 0 && memoryLimit !== undefined) {
    result.memoryBytes = Math.ceil(memoryBytes);
    limits['memory'] = String(memoryLimit);
  }
  if (cpuLimitCores !== undefined && cpuLimitCores > 0 && cpuLimit !== undefined) {
    result.cpuQuotaMicros = Math.max(CpuDefaults.quotaMicrosMin, Math.ceil(cpuLimitCores * CpuDefaults.periodMicros));
    limits['cpu'] = String(cpuLimit);
  }
  if (cpuRequestCores !== undefined && cpuRequestCores >= 0 && cpuRequest !== undefined) {
    result.cpuShares = Math.min(CpuDefaults.sharesMax, Math.max(CpuDefaults.sharesMin, Math.floor(cpuRequestCores * 1024)));
    requests['cpu'] = String(cpuRequest);
  }
  const enforced: ResourceRequirements = {
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
    ...(Object.keys(requests).length === 0 ? {} : { requests }),
  };
  return { ...result, enforced };
}

/** The files to write, in order, for cgroup v1 or v2 (pure). */
export function cgroupWrites(version: 1 | 2, limits: CgroupLimits): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  if (version === 1) {
    if (limits.memoryBytes !== undefined) writes.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(limits.memoryBytes) });
    if (limits.cpuQuotaMicros !== undefined) {
      writes.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CpuDefaults.periodMicros) });
      writes.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(limits.cpuQuotaMicros) });
    }
    if (limits.cpuShares !== undefined) writes.push({ controller: 'cpu', file: 'cpu.shares', value: String(limits.cpuShares) });
    return writes;
  }
  if (limits.memoryBytes !== undefined) {
    writes.push({ controller: 'memory', file: 'memory.max', value: String(limits.memoryBytes) });
    // Without swap accounting off, a v2 container could swap instead of being OOM-killed.
    writes.push({ controller: 'memory', file: 'memory.swap.max', value: '0', optional: true });
  }
  if (limits.cpuQuotaMicros !== undefined) writes.push({ controller: 'cpu', file: 'cpu.max', value: `${limits.cpuQuotaMicros} ${CpuDefaults.periodMicros}` });
  if (limits.cpuShares !== undefined) writes.push({ controller: 'cpu', file: 'cpu.weight', value: String(sharesToWeight(limits.cpuShares)) });
  return writes;
}

/** The conversion runc and kubelet use from cpu.shares [2, 262144] to cpu.weight [1, 10000]. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - CpuDefaults.sharesMin) * 9999) / (CpuDefaults.sharesMax - CpuDefaults.sharesMin));
}

/** The `oom_kill N` counter of memory.oom_control (v1) or memory.events (v2); 0 when absent (pure). */
export function parseOomKills(text: string): number {
  const match = /^oom_kill (\d+)$/m.exec(text);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}
