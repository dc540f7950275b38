import { open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Atomic replacement of a replica's LevelDB directory by a snapshot-installed one. The owner of the
 * directory (the Raft driver) runs the sequence in README "Installing a snapshot": both databases
 * must be closed before `swapInStagingDirectory`, and `recoverDirectorySwap` must run before the
 * data directory is opened at startup.
 *
 * Crash analysis (renames of directories are atomic on POSIX file systems):
 * - crash while filling staging: data intact, staging partial → recovery deletes staging;
 * - crash after data → retired: data missing, staging complete (it was closed before the first
 *   rename) → recovery renames staging → data and deletes retired;
 * - crash after staging → data: recovery deletes retired.
 */
export function stagingDirectory(dataDirectory: string): string {
  return `${dataDirectory}.snapshot-staging`;
}

export function retiredDirectory(dataDirectory: string): string {
  return `${dataDirectory}.snapshot-retired`;
}

/** Removes any leftover staging directory and returns the path to create the fresh database in. */
export async function prepareStagingDirectory(dataDirectory: string): Promise<string> {
  const staging = stagingDirectory(dataDirectory);
  await rm(staging, { recursive: true, force: true });
  return staging;
}

/** Replaces `dataDirectory` with its staging directory. Both databases must be closed. */
export async function swapInStagingDirectory(dataDirectory: string): Promise<void> {
  const retired = retiredDirectory(dataDirectory);
  await rm(retired, { recursive: true, force: true });
  await rename(dataDirectory, retired);
  await rename(stagingDirectory(dataDirectory), dataDirectory);
  await syncDirectory(dirname(dataDirectory));
  await rm(retired, { recursive: true, force: true });
}

export type SwapRecovery = 'clean' | 'discarded-staging' | 'completed-swap';

/** Finishes or rolls back an interrupted swap; call before opening the data directory. */
export async function recoverDirectorySwap(dataDirectory: string): Promise<SwapRecovery> {
  const staging = stagingDirectory(dataDirectory);
  const retired = retiredDirectory(dataDirectory);
  if (await exists(dataDirectory)) {
    const hadStaging = await exists(staging);
    await rm(staging, { recursive: true, force: true });
    await rm(retired, { recursive: true, force: true });
    return hadStaging ? 'discarded-staging' : 'clean';
  }
  if (await exists(staging)) {
    await rename(staging, dataDirectory);
    await syncDirectory(dirname(dataDirectory));
    await rm(retired, { recursive: true, force: true });
    return 'completed-swap';
  }
  if (await exists(retired)) {
    // Unreachable by the sequence above, but never lose data: put it back.
    await rename(retired, dataDirectory);
    return 'completed-swap';
  }
  return 'clean';
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Makes the renames durable: a directory's entries are persisted by fsyncing the directory. */
async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
