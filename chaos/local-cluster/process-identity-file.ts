import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMissingFile } from './cluster-state.ts';

/**
 * A process as /proc knows it: the pid and its start time in clock ticks since boot (field 22 of
 * /proc/<pid>/stat). Together they are unique, so a pid the kernel reused for another program after
 * a reboot or a crash is never signalled by mistake.
 */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTicks: string;
}

/** `<dir>/run/<component>.json`; `supervisor` is the foreground `flotilla up` itself. */
export function identityFilePath(directory: string, component: string): string {
  return join(directory, 'run', `${component}.json`);
}

export async function writeIdentity(directory: string, component: string, identity: ProcessIdentity): Promise<void> {
  const path = identityFilePath(directory, component);
  await mkdir(join(directory, 'run'), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(identity)}\n`);
  await rename(temporary, path);
}

export async function readIdentity(directory: string, component: string): Promise<ProcessIdentity | null> {
  let text: string;
  try {
    text = await readFile(identityFilePath(directory, component), 'utf8');
  } catch (error) {
    if (isMissingFile(error)) return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ProcessIdentity>;
    return typeof parsed.pid === 'number' && typeof parsed.startTicks === 'string' ? { pid: parsed.pid, startTicks: parsed.startTicks } : null;
  } catch {
    return null; // a torn or foreign file names no process we started
  }
}

export async function removeIdentity(directory: string, component: string): Promise<void> {
  await rm(identityFilePath(directory, component), { force: true });
}
