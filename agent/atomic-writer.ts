import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface ProjectedFile {
  readonly content: string;
  readonly mode: number;
}

/** Files one configMap/secret volume may project (a ConfigMap has at most a few hundred keys). */
export const projectedFilesMax = 4096;

const dataLink = '..data';

/**
 * kubelet's AtomicWriter: the payload lives in a hidden timestamped directory; `..data` is a symlink
 * to it, swapped by rename (atomic), and each visible name is a symlink through `..data`. A reader
 * therefore sees the old set of files or the new one, never a mix. Returns whether anything changed.
 */
export async function writeProjection(directory: string, files: ReadonlyMap<string, ProjectedFile>): Promise<boolean> {
  if (files.size > projectedFilesMax) throw new Error(`volume projects ${files.size} files, more than ${projectedFilesMax}`);
  await mkdir(directory, { recursive: true });
  const current = await readlink(join(directory, dataLink)).catch(() => undefined);
  if (current !== undefined && (await sameContent(join(directory, current), files))) return false;
  const payload = `..payload_${randomBytes(6).toString('hex')}`;
  for (const [path, file] of files) {
    const target = join(directory, payload, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
    await chmod(target, file.mode);
  }
  await mkdir(join(directory, payload), { recursive: true });
  const temporaryLink = join(directory, `${dataLink}_tmp`);
  await rm(temporaryLink, { force: true });
  await symlink(payload, temporaryLink);
  await rename(temporaryLink, join(directory, dataLink));
  await updateVisibleLinks(directory, files);
  if (current !== undefined && current !== payload) await rm(join(directory, current), { recursive: true, force: true });
  return true;
}

async function updateVisibleLinks(directory: string, files: ReadonlyMap<string, ProjectedFile>): Promise<void> {
  const wanted = new Set([...files.keys()].map((path) => path.split('/')[0] ?? path));
  for (const name of wanted) {
    const link = join(directory, name);
    const existing = await readlink(link).catch(() => undefined);
    if (existing === join(dataLink, name)) continue;
    await rm(link, { recursive: true, force: true });
    await symlink(join(dataLink, name), link);
  }
  for (const name of await readdir(directory)) {
    if (!name.startsWith('..') && !wanted.has(name)) await rm(join(directory, name), { recursive: true, force: true });
  }
}

async function sameContent(payloadDirectory: string, files: ReadonlyMap<string, ProjectedFile>): Promise<boolean> {
  const existing = await listFiles(payloadDirectory, '');
  if (existing.length !== files.size) return false;
  for (const [path, file] of files) {
    const content = await readFile(join(payloadDirectory, path), 'utf8').catch(() => undefined);
    if (content !== file.content) return false;
  }
  return true;
}

async function listFiles(directory: string, prefix: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  const paths: string[] = [];
  for (const entry of entries) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) paths.push(...(await listFiles(join(directory, entry.name), path)));
    else paths.push(path);
  }
  return paths;
}
