import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { PrerequisiteFacts } from './prerequisites.ts';

/**
 * Debian installs nats-server to /usr/sbin, which is not on a normal user's PATH: the sbin
 * directories are searched too, and the absolute path found is what the cluster runs.
 */
const extraSearchDirectories = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

export async function gatherPrerequisiteFacts(): Promise<PrerequisiteFacts> {
  return {
    nodeVersion: process.versions.node,
    platform: process.platform,
    natsServerPath: await findExecutable('nats-server'),
    kubectlPath: await findExecutable('kubectl'),
    debianLike: await isReadable('/etc/debian_version'),
    root: process.getuid?.() === 0,
  };
}

/** The first executable `name` on PATH (then the sbin directories), or null. */
export async function findExecutable(name: string, searchPath: string = process.env['PATH'] ?? ''): Promise<string | null> {
  const directories = [...searchPath.split(delimiter).filter((directory) => directory !== ''), ...extraSearchDirectories];
  for (const directory of directories) {
    const candidate = join(directory, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; next directory
    }
  }
  return null;
}

async function isReadable(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
