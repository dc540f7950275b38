import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

/** Directories searched besides $PATH: where Debian puts util-linux, crun, runc and podman. */
const systemDirectories = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of an executable found on $PATH (or the system directories), or undefined. */
export async function findExecutable(name: string, searchPath: string | undefined = process.env['PATH']): Promise<string | undefined> {
  const directories = [...(searchPath ?? '').split(delimiter).filter((directory) => directory !== ''), ...systemDirectories];
  for (const directory of new Set(directories)) {
    const candidate = join(directory, name);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}
