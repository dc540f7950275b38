import { copyFile, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** kubelet's defaults: containerLogMaxSize 10Mi, containerLogMaxFiles 5 (current + 4 rotated). */
export const LogLimits = {
  fileBytesMax: 10 * 1024 * 1024,
  filesMax: 5,
  /** How often the rotator looks at file sizes; a file can overshoot by what is written meanwhile. */
  checkIntervalMs: 1000,
} as const;

export interface LogRotationLimits {
  readonly fileBytesMax: number;
  readonly filesMax: number;
}

/**
 * The files of one instance's log, oldest first: `<n>.log.<filesMax-1>` … `<n>.log.1`, `<n>.log`.
 */
export function rotatedFiles(logFile: string, filesMax: number): string[] {
  const files: string[] = [];
  for (let index = filesMax - 1; index >= 1; index--) files.push(`${logFile}.${index}`);
  files.push(logFile);
  return files;
}

/**
 * Rotates `logFile` when it is over the size limit, copy-then-truncate: the process keeps writing
 * (O_APPEND) to the same descriptor, which must survive an agent restart, so the file cannot be
 * renamed from under it. Lines written between the copy and the truncate are lost, the same
 * trade-off as logrotate's copytruncate. Returns whether it rotated.
 */
export async function rotateIfNeeded(logFile: string, limits: LogRotationLimits): Promise<boolean> {
  let size: number;
  try {
    size = (await stat(logFile)).size;
  } catch {
    return false;
  }
  if (size <= limits.fileBytesMax) return false;
  if (limits.filesMax <= 1) {
    await truncate(logFile, 0);
    return true;
  }
  await rm(`${logFile}.${limits.filesMax - 1}`, { force: true });
  for (let index = limits.filesMax - 2; index >= 1; index--) {
    await rename(`${logFile}.${index}`, `${logFile}.${index + 1}`).catch(ignoreMissing);
  }
  await copyFile(logFile, `${logFile}.1`);
  await truncate(logFile, 0);
  return true;
}

/** Keeps the logs of the current and the previous instance only (what `--previous` can ask for). */
export async function pruneOldInstances(logFile: string, currentInstance: number): Promise<void> {
  const directory = dirname(logFile);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  const keepFrom = currentInstance - 1;
  for (const name of names) {
    const instance = Number.parseInt(name, 10);
    if (Number.isInteger(instance) && instance < keepFrom && name.startsWith(`${instance}.log`) && name !== basename(logFile)) {
      await rm(join(directory, name), { force: true });
    }
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
