import { readFile } from 'node:fs/promises';
import { findExecutable } from './executable-lookup.ts';

/** The programs the OCI runtime drives. */
export interface OciTools {
  /** crun where it can run on this host, else runc: the same command line for what we use. */
  readonly kind: 'crun' | 'runc';
  readonly binary: string;
  /** podman, for its local image store (`podman image inspect`, `podman image mount`). */
  readonly podman: string;
  readonly mount: string;
  readonly umount: string;
}

export type OciToolsDetection = { readonly ok: true; readonly tools: OciTools } | { readonly ok: false; readonly reason: string };

/**
 * Finds what the OCI runtime needs, or says what to install. crun is preferred (a small C
 * program: cheap as each container's foreground monitor); crun refuses hybrid cgroup hosts whose
 * v2 hierarchy holds controllers (`unifiedControllers`), where runc works.
 */
export async function detectOciTools(unifiedControllersFile = '/sys/fs/cgroup/unified/cgroup.controllers'): Promise<OciToolsDetection> {
  if (process.platform !== 'linux') return { ok: false, reason: `the OCI runtime needs Linux (this is ${process.platform})` };
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0) return { ok: false, reason: `the OCI runtime needs root (overlay mounts, namespaces); the agent runs as uid ${uid}` };
  const [crun, runc, podman, mount, umount] = await Promise.all(['crun', 'runc', 'podman', 'mount', 'umount'].map((name) => findExecutable(name)));
  if (podman === undefined) return { ok: false, reason: 'podman is needed for its local image store (apt-get install podman; load images with podman load or podman import)' };
  if (mount === undefined || umount === undefined) return { ok: false, reason: 'util-linux mount and umount are needed (apt-get install mount)' };
  const hybridControllers = (await readFile(unifiedControllersFile, 'utf8').catch(() => '')).trim();
  if (crun !== undefined && hybridControllers === '') return { ok: true, tools: { kind: 'crun', binary: crun, podman, mount, umount } };
  if (runc !== undefined) return { ok: true, tools: { kind: 'runc', binary: runc, podman, mount, umount } };
  if (crun !== undefined) {
    return { ok: false, reason: `crun cannot run containers on this host's hybrid cgroups (the v2 hierarchy holds controllers: ${hybridControllers}); install runc (apt-get install runc)` };
  }
  return { ok: false, reason: 'crun or runc is needed to run OCI containers (apt-get install crun, or runc)' };
}

/** The global arguments of every crun/runc call: our own state directory; crun leaves cgroups to us. */
export function ociGlobalArgs(tools: Pick<OciTools, 'kind'>, stateRoot: string): string[] {
  return tools.kind === 'crun' ? ['--root', stateRoot, '--cgroup-manager=disabled'] : ['--root', stateRoot];
}
