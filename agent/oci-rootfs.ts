import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AgentError, AgentErrorCode } from './errors.ts';

const run = promisify(execFile);

/** A mount or umount that takes longer is failed (a hung filesystem). */
const mountTimeoutMs = 30_000;

/**
 * Each container instance's root filesystem: an overlay of the image (read-only, lower) and the
 * instance's own writable layer under its bundle, as container engines do. Mounted on the host
 * (so it survives the agent) and unmounted once the instance exited.
 */
export async function mountRootfs(mountProgram: string, imageRoot: string, bundle: string): Promise<string> {
  const upper = join(bundle, 'upper');
  const work = join(bundle, 'work');
  const rootfs = join(bundle, 'rootfs');
  for (const directory of [upper, work, rootfs]) await mkdir(directory, { recursive: true });
  if (/[,:]/.test(imageRoot) || /[,:]/.test(bundle)) throw new AgentError(AgentErrorCode.startFailed, `overlay paths may not hold "," or ":" (${imageRoot}, ${bundle})`);
  try {
    await run(mountProgram, ['-t', 'overlay', 'overlay', '-o', `lowerdir=${imageRoot},upperdir=${upper},workdir=${work}`, rootfs], { timeout: mountTimeoutMs });
  } catch (error) {
    throw new AgentError(AgentErrorCode.startFailed, `mounting the container's root filesystem: ${String((error as { stderr?: unknown }).stderr ?? error).trim()}`, { cause: error });
  }
  return rootfs;
}

/** Unmounts every mount at or under `directory` (deepest first); lazily when one is still busy. */
export async function unmountUnder(umountProgram: string, directory: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((line) => decodeMountPath(line.split(' ')[1] ?? ''));
  const under = mounts.filter((path) => path === directory || path.startsWith(`${directory}/`)).sort((a, b) => b.length - a.length);
  for (const path of under) {
    await run(umountProgram, [path], { timeout: mountTimeoutMs }).catch(async () => {
      await run(umountProgram, ['-l', path], { timeout: mountTimeoutMs });
    });
  }
}

/** Removes an instance's bundle (its writable layer): unmounted first, so nothing is deleted through a mount. */
export async function removeBundle(umountProgram: string, bundle: string): Promise<void> {
  await unmountUnder(umountProgram, bundle);
  await rm(bundle, { recursive: true, force: true });
}

/** /proc/mounts writes space, tab, newline and backslash in paths as octal escapes. */
function decodeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
