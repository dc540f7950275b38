import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { ResolvedMount } from './runtime.ts';

/**
 * A mount path or workingDir, made relative to the container's root directory, or undefined when
 * it would escape it (`..`) or name the root itself. `/etc/config` → `etc/config`.
 */
export function containedPath(path: string): string | undefined {
  if (path.split('/').includes('..')) return undefined;
  const relative = normalize(`/${path}`).replace(/^\/+/, '');
  if (relative === '' || relative === '.' || relative.split('/').includes('..')) return undefined;
  return relative.replace(/\/+$/, '');
}

/**
 * Without root there is no mount namespace, so a volume cannot appear at its absolute mountPath.
 * The fallback: a symlink at <container root>/<mountPath> pointing at the volume's host path, so a
 * process that resolves paths against its working directory (or $HOME) finds it; the absolute
 * path itself is reachable through FLOTILLA_VOLUME_<NAME>. Returns the mounts it could not link.
 */
export async function linkMounts(containerRoot: string, mounts: readonly ResolvedMount[]): Promise<ResolvedMount[]> {
  const skipped: ResolvedMount[] = [];
  for (const mount of mounts) {
    const relative = containedPath(mount.mountPath);
    if (relative === undefined) {
      skipped.push(mount);
      continue;
    }
    const link = join(containerRoot, relative);
    const existing = await readlink(link).catch(() => undefined);
    if (existing === mount.hostPath) continue;
    await mkdir(dirname(link), { recursive: true });
    await rm(link, { force: true });
    await symlink(mount.hostPath, link);
  }
  return skipped;
}
