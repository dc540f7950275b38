import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Where containers' cgroups go: under the agent's own cgroup (`<own>/flotilla/...`), in each
 * hierarchy. Nesting under our own cgroup (rather than at a hierarchy's root, as kubelet's
 * /kubepods) keeps the containers inside whatever the agent's supervisor accounts and limits the
 * agent with, and needs no delegation beyond the agent's own subtree.
 */
export type CgroupDriver =
  | { readonly version: 1; readonly memory: string; readonly cpu: string }
  | { readonly version: 2; readonly root: string };

/** Controllers a v1 hierarchy carries (`cpu,cpuacct` is one mount with two). */
interface MountedHierarchy {
  readonly version: 1 | 2;
  readonly mountPoint: string;
  readonly controllers: readonly string[];
}

/** The name of the directory under the agent's own cgroup that holds its containers' cgroups. */
export const cgroupSubtreeName = 'flotilla';

/** Parses /proc/self/mounts lines of type cgroup and cgroup2 (pure). */
export function parseCgroupMounts(mountsText: string): MountedHierarchy[] {
  const hierarchies: MountedHierarchy[] = [];
  for (const line of mountsText.split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (mountPoint === undefined || options === undefined) continue;
    if (type === 'cgroup2') hierarchies.push({ version: 2, mountPoint, controllers: [] });
    else if (type === 'cgroup') hierarchies.push({ version: 1, mountPoint, controllers: options.split(',') });
  }
  return hierarchies;
}

/** Parses /proc/self/cgroup: controller (or '' for the unified hierarchy) → own path (pure). */
export function parseOwnCgroups(selfText: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of selfText.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const path = line.slice(second + 1);
    const controllers = line.slice(first + 1, second);
    if (controllers === '') own.set('', path);
    for (const controller of controllers.split(',')) if (controller !== '') own.set(controller, path);
  }
  return own;
}

/**
 * Picks the driver (pure): v1 when memory and cpu are v1 hierarchies (a hybrid host's unified
 * hierarchy then only tracks processes), else v2 when the unified hierarchy offers both
 * (`unifiedControllers`: the agent's own cgroup's cgroup.controllers).
 */
export function chooseCgroupDriver(hierarchies: readonly MountedHierarchy[], own: ReadonlyMap<string, string>, unifiedControllers: readonly string[]): CgroupDriver | undefined {
  const v1 = (controller: string): string | undefined => {
    const hierarchy = hierarchies.find((candidate) => candidate.version === 1 && candidate.controllers.includes(controller));
    const path = own.get(controller);
    return hierarchy === undefined || path === undefined ? undefined : join(hierarchy.mountPoint, path, cgroupSubtreeName);
  };
  const memory = v1('memory');
  const cpu = v1('cpu');
  if (memory !== undefined && cpu !== undefined) return { version: 1, memory, cpu };
  const unified = hierarchies.find((candidate) => candidate.version === 2);
  const path = own.get('');
  if (unified === undefined || path === undefined || !unifiedControllers.includes('memory') || !unifiedControllers.includes('cpu')) return undefined;
  return { version: 2, root: join(unified.mountPoint, path, cgroupSubtreeName) };
}

/** Reads the host's cgroup setup; undefined when cgroups cannot be used for limits (not root, none writable). */
export async function detectCgroupDriver(): Promise<CgroupDriver | undefined> {
  try {
    const hierarchies = parseCgroupMounts(await readFile('/proc/self/mounts', 'utf8'));
    const own = parseOwnCgroups(await readFile('/proc/self/cgroup', 'utf8'));
    const unified = hierarchies.find((candidate) => candidate.version === 2);
    const ownUnified = own.get('');
    const controllers = unified === undefined || ownUnified === undefined
      ? []
      : (await readFile(join(unified.mountPoint, ownUnified, 'cgroup.controllers'), 'utf8').catch(() => '')).trim().split(/\s+/);
    const driver = chooseCgroupDriver(hierarchies, own, controllers);
    if (driver === undefined) return undefined;
    // The parent of our subtree must be writable (root, or a delegated cgroup).
    const parents = driver.version === 1 ? [driver.memory, driver.cpu] : [driver.root];
    for (const parent of parents) await access(join(parent, '..'), constants.W_OK);
    return driver;
  } catch {
    return undefined;
  }
}
