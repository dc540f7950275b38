import { readFile } from 'node:fs/promises';

export interface ProcessIdentity {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. Unique with the pid. */
  readonly startTicks: string;
}

export interface ProcessStat {
  readonly state: string;
  readonly startTicks: string;
}

/**
 * Reads /proc/<pid>/stat. The command name (field 2) may contain spaces and parentheses, so the
 * fields are counted from the last ')'.
 */
export async function readProcessStat(pid: number): Promise<ProcessStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the comm: field 3 (state) is fields[0], field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTicks = fields[19];
  if (state === undefined || startTicks === undefined) return undefined;
  return { state, startTicks };
}

/**
 * True when `identity` still names the same live process: a pid reused by another process has a
 * different start time, and a zombie has exited (its exit status belongs to its parent).
 */
export async function isSameProcessAlive(identity: ProcessIdentity): Promise<boolean> {
  const stat = await readProcessStat(identity.pid);
  return stat !== undefined && stat.startTicks === identity.startTicks && stat.state !== 'Z' && stat.state !== 'X';
}
