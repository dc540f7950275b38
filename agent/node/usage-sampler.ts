import { open, readdir, readFile } from 'node:fs/promises';

/** /proc reports cpu time in USER_HZ ticks, which the kernel's ABI fixes at 100 per second. */
export const clockTicksPerSecond = 100;
/** Processes looked at per sample (a host with more is measured partly, never stalled). */
export const processesPerSampleMax = 20_000;

export interface GroupUsage {
  /** utime + stime of every process in the group, in ticks. */
  readonly cpuTicks: number;
  readonly rssBytes: number;
}

export interface UsageSample {
  readonly atMs: number;
  /** Busy cpu ticks of the whole host (all cpus), and resident memory in use. */
  readonly hostBusyTicks: number;
  readonly hostMemoryUsedBytes: number;
  /** By process group id (a container's group is its wrapper's pid). */
  readonly groups: ReadonlyMap<number, GroupUsage>;
}

/** Fields of /proc/<pid>/stat after the command name: pgrp, utime, stime, rss (pure). */
export function parseProcessStat(text: string): { pgrp: number; cpuTicks: number; rssPages: number } | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); pgrp is field 5, utime 14, stime 15, rss 24.
  const pgrp = Number(fields[2]);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rss = Number(fields[21]);
  if (![pgrp, utime, stime, rss].every(Number.isFinite)) return undefined;
  return { pgrp, cpuTicks: utime + stime, rssPages: rss };
}

/** Busy ticks from /proc/stat's first line: everything but idle and iowait (pure). */
export function parseHostCpu(text: string): number {
  const line = text.split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((sum, value) => sum + (Number.isFinite(value) ? value : 0), 0);
  return total - (values[3] ?? 0) - (values[4] ?? 0);
}

/** MemTotal − MemAvailable from /proc/meminfo, in bytes (pure). */
export function parseMemoryUsed(text: string): number {
  const kilobytes = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return Math.max(0, kilobytes('MemTotal') - kilobytes('MemAvailable')) * 1024;
}

/** Nanocores used between two samples of a tick counter (pure): Kubernetes' cpu usage unit. */
export function nanocores(ticksBefore: number, ticksAfter: number, windowMs: number): number {
  if (windowMs <= 0) return 0;
  return Math.max(0, Math.round(((ticksAfter - ticksBefore) / clockTicksPerSecond) / (windowMs / 1000) * 1e9));
}

let pageSizeBytes: number | undefined;

/** The kernel's page size (4 KiB on most machines, 16 KiB on a Raspberry Pi 5), read once from /proc/self/smaps. */
async function pageSize(): Promise<number> {
  if (pageSizeBytes !== undefined) return pageSizeBytes;
  const handle = await open('/proc/self/smaps', 'r').catch(() => undefined);
  let found = 4096;
  if (handle !== undefined) {
    try {
      const buffer = Buffer.alloc(8192);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const match = /KernelPageSize:\s+(\d+) kB/.exec(buffer.subarray(0, bytesRead).toString('utf8'));
      if (match !== null) found = Number(match[1]) * 1024;
    } finally {
      await handle.close();
    }
  }
  pageSizeBytes = found;
  return found;
}

/** One sample of the host and of the process groups in `groupIds` (Linux /proc). */
export async function sampleUsage(groupIds: ReadonlySet<number>, nowMs: number): Promise<UsageSample> {
  const [statText, memoryText, entries, page] = await Promise.all([
    readFile('/proc/stat', 'utf8').catch(() => ''), readFile('/proc/meminfo', 'utf8').catch(() => ''), readdir('/proc').catch(() => [] as string[]), pageSize(),
  ]);
  const groups = new Map<number, GroupUsage>();
  if (groupIds.size > 0) {
    for (const entry of entries.filter((name) => /^\d+$/.test(name)).slice(0, processesPerSampleMax)) {
      const stat = parseProcessStat(await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => ''));
      if (stat === undefined || !groupIds.has(stat.pgrp)) continue;
      const before = groups.get(stat.pgrp) ?? { cpuTicks: 0, rssBytes: 0 };
      groups.set(stat.pgrp, { cpuTicks: before.cpuTicks + stat.cpuTicks, rssBytes: before.rssBytes + stat.rssPages * page });
    }
  }
  return { atMs: nowMs, hostBusyTicks: parseHostCpu(statText), hostMemoryUsedBytes: parseMemoryUsed(memoryText), groups };
}
