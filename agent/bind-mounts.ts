import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { AgentError, AgentErrorCode } from './errors.ts';
import { containedPath } from './mount-links.ts';
import type { ResolvedMount } from './runtime.ts';

/** A volume bind-mounted at its mountPath inside a container's own mount namespace (root mode). */
export interface BindMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/**
 * Root mode's mounts: each volume at its absolute mountPath. The container sees the host's
 * filesystem (the process runtime has no image), so a mount point that does not exist is created
 * on the host — an empty directory (or empty file, for a file subPath), left in place afterwards:
 * removing it could detach the mount of another container using the same path. A mountPath
 * covering the agent's own directory is refused (the container's exit code is written there).
 */
export async function prepareBindMounts(mounts: readonly ResolvedMount[], agentDirectory: string): Promise<BindMount[]> {
  const binds: BindMount[] = [];
  const agentRoot = resolve(agentDirectory);
  for (const mount of mounts) {
    const inside = containedPath(mount.mountPath);
    if (inside === undefined) throw new AgentError(AgentErrorCode.containerConfig, `volumeMount ${mount.volumeName}: mountPath ${JSON.stringify(mount.mountPath)} must be an absolute path without ".." and not "/"`);
    const target = `/${inside}`;
    const fromTarget = relative(target, agentRoot);
    if (fromTarget === '' || !fromTarget.startsWith('..')) {
      throw new AgentError(AgentErrorCode.containerConfig, `volumeMount ${mount.volumeName}: mountPath ${target} would hide the agent's directory ${agentRoot}`);
    }
    const source = await stat(mount.hostPath);
    if (source.isDirectory()) await mkdir(target, { recursive: true });
    else await ensureFile(target);
    binds.push({ source: mount.hostPath, target, readOnly: mount.readOnly });
  }
  return binds;
}

async function ensureFile(path: string): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing !== undefined) return;
  await mkdir(dirname(path), { recursive: true });
  await (await open(path, 'a', 0o644)).close();
}
