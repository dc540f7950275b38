import { readdir, readFile, statfs } from 'node:fs/promises';
import { arch, availableParallelism, hostname, release, totalmem } from 'node:os';

/** What the agent reports about its machine: capacity, identity, and the pressure signals. */
export interface HostFacts {
  readonly hostname: string;
  readonly cpuCount: number;
  readonly memoryTotalBytes: number;
  /** MemAvailable (what can be used without swapping), as kubelet's memory.available signal. */
  readonly memoryAvailableBytes: number;
  readonly diskTotalBytes: number;
  readonly diskAvailableBytes: number;
  readonly processCount: number;
  readonly processMax: number;
  readonly kernelVersion: string;
  readonly osImage: string;
  readonly architecture: string;
  readonly machineId: string;
  readonly bootId: string;
}

/** Node's arch names → Kubernetes' (GOARCH). */
const architectures: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function kubernetesArchitecture(): string {
  return architectures[arch()] ?? arch();
}

/** Reads the host (Linux /proc and the data directory's filesystem); missing sources give neutral values. */
export async function readHostFacts(dataDirectory: string): Promise<HostFacts> {
  const [memoryAvailableBytes, disk, processCount, processMax, osImage, machineId, bootId] = await Promise.all([
    readMemoryAvailable(), readDisk(dataDirectory), countProcesses(), readNumber('/proc/sys/kernel/pid_max', 32_768),
    readOsImage(), readText('/etc/machine-id'), readText('/proc/sys/kernel/random/boot_id'),
  ]);
  return {
    hostname: hostname(), cpuCount: availableParallelism(), memoryTotalBytes: totalmem(), memoryAvailableBytes,
    diskTotalBytes: disk.total, diskAvailableBytes: disk.available, processCount, processMax,
    kernelVersion: release(), osImage, architecture: kubernetesArchitecture(), machineId, bootId,
  };
}

async function readMemoryAvailable(): Promise<number> {
  const text = await readText('/proc/meminfo');
  const match = /^MemAvailable:\s+(\d+) kB/m.exec(text);
  return match === null ? totalmem() : Number(match[1]) * 1024;
}

async function readDisk(directory: string): Promise<{ total: number; available: number }> {
  try {
    const stats = await statfs(directory);
    return { total: stats.blocks * stats.bsize, available: stats.bavail * stats.bsize };
  } catch {
    return { total: 0, available: 0 };
  }
}

async function countProcesses(): Promise<number> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  return entries.filter((entry) => /^\d+$/.test(entry)).length;
}

async function readOsImage(): Promise<string> {
  const text = await readText('/etc/os-release');
  const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return match?.[1] ?? 'Linux';
}

async function readNumber(path: string, fallback: number): Promise<number> {
  const value = Number((await readText(path)).trim());
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function readText(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return '';
  }
}
