import { detectCgroupDriver, type CgroupDriver } from './cgroup-detect.ts';
import { findExecutable } from './executable-lookup.ts';

/**
 * What the host lets the agent enforce ("root mode"). As root on Linux, each process-runtime
 * container gets its own mount namespace (util-linux `unshare`, `mount`, `nsenter` for exec) with
 * its volumes bind-mounted at their mountPath, and its own cgroup with the cpu/memory limits.
 * Without root neither is possible and the runtime falls back to symlinks and no limits.
 */
export interface HostIsolation {
  readonly mountNamespace: false | { readonly unshare: string; readonly nsenter: string; readonly mount: string };
  readonly cgroups: CgroupDriver | undefined;
  /** What is not enforced and why, for the agent's start-up log. */
  readonly notes: readonly string[];
}

export const noIsolation: HostIsolation = { mountNamespace: false, cgroups: undefined, notes: ['not running as root: no mount namespaces, no cgroup limits'] };

export async function detectHostIsolation(): Promise<HostIsolation> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return noIsolation;
  const notes: string[] = [];
  const [unshare, nsenter, mount] = await Promise.all([findExecutable('unshare'), findExecutable('nsenter'), findExecutable('mount')]);
  const mountNamespace = unshare !== undefined && nsenter !== undefined && mount !== undefined ? { unshare, nsenter, mount } : false;
  if (mountNamespace === false) notes.push('util-linux unshare, nsenter and mount are needed for per-container mount namespaces (apt-get install util-linux mount): volumes fall back to symlinks');
  const cgroups = await detectCgroupDriver();
  if (cgroups === undefined) notes.push('no writable cgroup v1 memory+cpu hierarchies nor a cgroup v2 hierarchy with memory and cpu: cpu/memory limits are not enforced');
  return { mountNamespace, cgroups, notes };
}
