import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeProjection, type ProjectedFile } from './atomic-writer.ts';
import { containedPath } from './mount-links.ts';
import type { ClaimVolume, ConfigData, Container, KeyToPath, Pod, Volume } from './pod-types.ts';
import type { ResolvedMount } from './runtime.ts';

/** Kubernetes' default file mode for configMap and secret volumes (0644). */
export const defaultVolumeFileMode = 0o644;

export interface VolumeLookups {
  configMap(namespace: string, name: string): ConfigData | undefined;
  secret(namespace: string, name: string): ConfigData | undefined;
  /** A persistentVolumeClaim's volume; undefined: the claim does not exist. Absent: claims are not supported here. */
  claim?(namespace: string, claimName: string): ClaimVolume | undefined;
}

export type VolumeSetup =
  | { readonly ok: true; readonly paths: ReadonlyMap<string, string>; readonly changed: readonly string[] }
  | { readonly ok: false; readonly message: string };

/**
 * Materialises a pod's volumes under `<podDirectory>/volumes` and returns each volume's host path.
 * Idempotent: called again (periodically, or when a ConfigMap or Secret changed) it rewrites only
 * the configMap/secret volumes whose content changed, atomically, and reports which.
 */
export async function setUpVolumes(pod: Pod, podDirectory: string, lookups: VolumeLookups): Promise<VolumeSetup> {
  const paths = new Map<string, string>();
  const changed: string[] = [];
  for (const volume of pod.spec.volumes ?? []) {
    const result = await setUpVolume(volume, pod, podDirectory, lookups);
    if (!result.ok) return { ok: false, message: `volume "${volume.name}": ${result.message}` };
    paths.set(volume.name, result.path);
    if (result.changed) changed.push(volume.name);
  }
  return { ok: true, paths, changed };
}

type OneVolume = { readonly ok: true; readonly path: string; readonly changed: boolean } | { readonly ok: false; readonly message: string };

async function setUpVolume(volume: Volume, pod: Pod, podDirectory: string, lookups: VolumeLookups): Promise<OneVolume> {
  const namespace = pod.metadata.namespace ?? 'default';
  const base = join(podDirectory, 'volumes');
  if (volume.emptyDir !== undefined) {
    const path = join(base, 'empty-dir', volume.name);
    await mkdir(path, { recursive: true });
    return { ok: true, path, changed: false };
  }
  if (volume.configMap !== undefined) {
    const source = volume.configMap;
    return await project(join(base, 'config-map', volume.name), lookups.configMap(namespace, source.name), source, `configmap "${source.name}"`);
  }
  if (volume.secret !== undefined) {
    const source = volume.secret;
    return await project(join(base, 'secret', volume.name), lookups.secret(namespace, source.secretName), source, `secret "${source.secretName}"`);
  }
  if (volume.hostPath !== undefined) return await hostPathVolume(volume.hostPath.path, volume.hostPath.type ?? '');
  if (volume.persistentVolumeClaim !== undefined) return await claimVolume(volume.persistentVolumeClaim.claimName, namespace, lookups);
  return { ok: false, message: 'unsupported volume type on the process runtime' };
}

/** A claim's bound volume: a hostPath (created per its type, DirectoryOrCreate for local-path) or a local path that must exist. */
async function claimVolume(claimName: string, namespace: string, lookups: VolumeLookups): Promise<OneVolume> {
  const resolved = lookups.claim?.(namespace, claimName);
  if (resolved === undefined) return { ok: false, message: `persistentvolumeclaim "${claimName}" not found` };
  if (!resolved.bound) return { ok: false, message: `persistentvolumeclaim "${claimName}" is not bound` };
  if (resolved.source === '' || !resolved.path.startsWith('/')) return { ok: false, message: `volume "${resolved.volumeName}" is not a hostPath or local volume; the process runtime cannot mount it` };
  if (resolved.source === 'local') return await hostPathVolume(resolved.path, 'Directory');
  return await hostPathVolume(resolved.path, resolved.hostPathType === '' ? 'DirectoryOrCreate' : resolved.hostPathType);
}

interface ProjectionSource {
  readonly items?: readonly KeyToPath[];
  readonly defaultMode?: number;
  readonly optional?: boolean;
}

async function project(directory: string, data: ConfigData | undefined, source: ProjectionSource, what: string): Promise<OneVolume> {
  if (data === undefined && source.optional !== true) return { ok: false, message: `${what} not found` };
  const files = new Map<string, ProjectedFile>();
  const mode = source.defaultMode ?? defaultVolumeFileMode;
  if (data !== undefined && source.items === undefined) {
    for (const [key, content] of Object.entries(data)) files.set(key, { content, mode });
  }
  for (const item of source.items ?? []) {
    const content = data?.[item.key];
    if (content === undefined) {
      if (source.optional === true) continue;
      return { ok: false, message: `${what} has no key "${item.key}"` };
    }
    const path = containedPath(item.path);
    if (path === undefined || item.path.startsWith('/')) return { ok: false, message: `item path "${item.path}" must be relative, without ".."` };
    files.set(path, { content, mode: item.mode ?? mode });
  }
  const changed = await writeProjection(directory, files);
  return { ok: true, path: directory, changed };
}

async function hostPathVolume(path: string, type: string): Promise<OneVolume> {
  const info = await stat(path).catch(() => undefined);
  switch (type) {
    case 'DirectoryOrCreate':
      if (info === undefined) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!info.isDirectory()) return { ok: false, message: `${path} is not a directory` };
      break;
    case 'FileOrCreate':
      if (info === undefined) await writeFile(path, '', { mode: 0o644 });
      else if (!info.isFile()) return { ok: false, message: `${path} is not a file` };
      break;
    case 'Directory':
      if (info?.isDirectory() !== true) return { ok: false, message: `${path} is not a directory` };
      break;
    case 'File':
      if (info?.isFile() !== true) return { ok: false, message: `${path} is not a file` };
      break;
    case 'Socket':
      if (info?.isSocket() !== true) return { ok: false, message: `${path} is not a socket` };
      break;
    default:
      break;
  }
  return { ok: true, path, changed: false };
}

/** The container's volumeMounts as host paths (subPath applied), or the first unknown volume. */
export function resolveMounts(container: Container, paths: ReadonlyMap<string, string>): ResolvedMount[] | { readonly missing: string } {
  const mounts: ResolvedMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volumePath = paths.get(mount.name);
    if (volumePath === undefined) return { missing: mount.name };
    const sub = mount.subPath === undefined || mount.subPath === '' ? undefined : containedPath(mount.subPath);
    if (mount.subPath !== undefined && mount.subPath !== '' && sub === undefined) return { missing: `${mount.name} (bad subPath)` };
    mounts.push({ volumeName: mount.name, mountPath: mount.mountPath, hostPath: sub === undefined ? volumePath : join(volumePath, sub), readOnly: mount.readOnly === true });
  }
  return mounts;
}
