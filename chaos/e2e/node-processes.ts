import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { isSameProcessAlive, readProcessStat } from '../../agent/index.ts';
import type { ContainerProcess } from './checks/observed-cluster.ts';

/** Bounds on one reading, so a runaway node cannot make a check read forever. */
export const NodeProcessLimits = {
  podDirectoriesMax: 2_000,
  processTableEntriesMax: 100_000,
} as const;

/**
 * The container processes that really run for one agent, found two independent ways: the process
 * runtime's own records (pods/<uid>/containers/<name>/state.json naming a live pid with the same
 * start time, and no exit recorded), and the process table (any live process whose working
 * directory is under pods/<uid>/containers/<name>/, which catches a process the runtime forgot).
 */
export async function readContainerProcesses(node: string, agentDataDirectory: string): Promise<ContainerProcess[]> {
  return [...(await fromStateFiles(node, agentDataDirectory)), ...(await fromProcessTable(node, agentDataDirectory))];
}

async function listDirectory(path: string, max: number): Promise<string[]> {
  try {
    return (await readdir(path)).slice(0, max);
  } catch {
    return [];
  }
}

interface StateRecord {
  readonly pid?: unknown;
  readonly startTicks?: unknown;
  readonly exit?: unknown;
}

async function fromStateFiles(node: string, agentDataDirectory: string): Promise<ContainerProcess[]> {
  const found: ContainerProcess[] = [];
  const podsDirectory = join(agentDataDirectory, 'pods');
  for (const podUid of await listDirectory(podsDirectory, NodeProcessLimits.podDirectoriesMax)) {
    for (const container of await listDirectory(join(podsDirectory, podUid, 'containers'), NodeProcessLimits.podDirectoriesMax)) {
      const record = await readRecord(join(podsDirectory, podUid, 'containers', container, 'state.json'));
      if (record === undefined || typeof record.pid !== 'number' || typeof record.startTicks !== 'string' || record.exit !== undefined) continue;
      if (await isSameProcessAlive({ pid: record.pid, startTicks: record.startTicks })) found.push({ node, podUid, container, pid: record.pid, seenBy: 'state-file' });
    }
  }
  return found;
}

async function readRecord(path: string): Promise<StateRecord | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    // Absent, or being rewritten (the runtime writes it atomically, so rarely): read again next poll.
    return undefined;
  }
}

async function fromProcessTable(node: string, agentDataDirectory: string): Promise<ContainerProcess[]> {
  // /proc/<pid>/cwd is the resolved path: compare with the resolved directory (a temporary directory may sit behind a symlink).
  const podsDirectory = resolve(agentDataDirectory, 'pods');
  const prefix = `${await realpath(podsDirectory).catch(() => podsDirectory)}${sep}`;
  const found: ContainerProcess[] = [];
  for (const entry of await listDirectory('/proc', NodeProcessLimits.processTableEntriesMax)) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (!cwd.startsWith(prefix)) continue;
    // <prefix><uid>/containers/<name>/root[/...]
    const [podUid, containersSegment, container] = cwd.slice(prefix.length).split(sep);
    if (podUid === undefined || containersSegment !== 'containers' || container === undefined) continue;
    if (await isZombie(Number(entry))) continue;
    found.push({ node, podUid, container, pid: Number(entry), seenBy: 'process-table' });
  }
  return found;
}

/** A zombie has exited already (its exit status waits for its parent); a vanished pid reads as gone. */
async function isZombie(pid: number): Promise<boolean> {
  const stat = await readProcessStat(pid);
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}
