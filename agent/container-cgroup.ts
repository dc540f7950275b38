import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Timers } from '../common/index.ts';
import type { CgroupDriver } from './cgroup-detect.ts';
import { cgroupWrites, parseOomKills, type CgroupLimits } from './cgroup-limits.ts';
import { killQuietly } from './process-exec.ts';
import { sleep } from './wait.ts';

export const ContainerCgroupLimits = {
  /** Rounds of "SIGKILL everything listed in cgroup.procs" before giving up on emptying a cgroup. */
  killRoundsMax: 20,
  /** Between those rounds, and between attempts to remove a cgroup that is still draining. */
  roundIntervalMs: 50,
} as const;

/**
 * One container instance's cgroup: `<agent's cgroup>/flotilla/pod-<uid>/<container>-<n>` in each
 * hierarchy the driver uses (v1: memory and cpu; v2: the unified one). Each instance has its own,
 * so its OOM counter speaks of that instance only. Returns the directories (persisted in the
 * container's state file, so a restarted agent finds them).
 */
export async function createContainerCgroup(driver: CgroupDriver, podUid: string, containerName: string, instance: number, limits: CgroupLimits): Promise<string[]> {
  const relative = join(`pod-${podUid}`, `${containerName}-${instance}`);
  if (driver.version === 1) {
    const memory = join(driver.memory, relative);
    const cpu = join(driver.cpu, relative);
    await mkdir(memory, { recursive: true });
    await mkdir(cpu, { recursive: true });
    for (const write of cgroupWrites(1, limits)) await writeLimit(write.controller === 'memory' ? memory : cpu, write.file, write.value, write.optional === true);
    return [memory, cpu];
  }
  const directory = join(driver.root, relative);
  await mkdir(directory, { recursive: true });
  for (const write of cgroupWrites(2, limits)) await writeLimit(directory, write.file, write.value, write.optional === true);
  return [directory];
}

/**
 * v2 only lets a cgroup's children use a controller its parent enabled in cgroup.subtree_control,
 * and only when the parent holds no processes itself: enables memory and cpu down our subtree.
 * Throws (with the kernel's EBUSY) when the agent's own cgroup holds processes and is not the root.
 */
export async function delegateV2Controllers(driver: CgroupDriver, podUid: string): Promise<void> {
  if (driver.version !== 2) return;
  const levels = [join(driver.root, '..'), driver.root, join(driver.root, `pod-${podUid}`)];
  for (const level of levels) {
    await mkdir(level, { recursive: true });
    const enabled = (await readFile(join(level, 'cgroup.subtree_control'), 'utf8').catch(() => '')).split(/\s+/);
    if (!enabled.includes('memory') || !enabled.includes('cpu')) await writeFile(join(level, 'cgroup.subtree_control'), '+memory +cpu');
  }
}

/** The files a process writes its pid to, to join the cgroup (before it starts the command). */
export function procsFiles(directories: readonly string[]): string[] {
  return directories.map((directory) => join(directory, 'cgroup.procs'));
}

/** How many processes the kernel's OOM killer killed in this cgroup (v1 memory.oom_control, v2 memory.events). */
export async function readOomKills(directories: readonly string[]): Promise<number> {
  const memory = directories[0];
  if (memory === undefined) return 0;
  for (const file of ['memory.oom_control', 'memory.events']) {
    const text = await readFile(join(memory, file), 'utf8').catch(() => undefined);
    if (text !== undefined) return parseOomKills(text);
  }
  return 0;
}

/**
 * Kills every process left in the cgroup (what kubelet does when a container stops: whatever it
 * started goes too, even a process that left its process group). Bounded rounds: a fork bomb
 * racing us is stopped by the round limit, not by luck.
 */
export async function killCgroupProcesses(directories: readonly string[], timers: Timers): Promise<boolean> {
  const memory = directories[0];
  if (memory === undefined) return true;
  for (let round = 0; round < ContainerCgroupLimits.killRoundsMax; round++) {
    const pids = await listProcesses(memory);
    if (pids.length === 0) return true;
    for (const pid of pids) killQuietly(pid, 'SIGKILL');
    await sleep(timers, ContainerCgroupLimits.roundIntervalMs);
  }
  return (await listProcesses(memory)).length === 0;
}

/** Removes the instance's cgroup directories (they must be empty of processes), and the pod's when it is the last. */
export async function removeContainerCgroup(directories: readonly string[], timers: Timers): Promise<void> {
  for (const directory of directories) {
    for (let attempt = 0; attempt < ContainerCgroupLimits.killRoundsMax; attempt++) {
      const removed = await rmdir(directory).then(() => true, (error: NodeJS.ErrnoException) => error.code === 'ENOENT');
      if (removed) break;
      await sleep(timers, ContainerCgroupLimits.roundIntervalMs);
    }
    // The pod's directory goes with its last container (ENOTEMPTY otherwise: fine).
    await rmdir(join(directory, '..')).catch(() => undefined);
  }
}

async function listProcesses(directory: string): Promise<number[]> {
  const text = await readFile(join(directory, 'cgroup.procs'), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '').map(Number).filter((pid) => Number.isInteger(pid) && pid > 1);
}

async function writeLimit(directory: string, file: string, value: string, optional: boolean): Promise<void> {
  try {
    await writeFile(join(directory, file), value);
  } catch (error) {
    if (!optional || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
