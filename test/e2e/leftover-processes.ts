import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Every process on the host (other than this one) that names `directory` on its command line or
 * runs inside it: the components `flotilla up` starts all carry the directory in their arguments,
 * and containers run with their working directory under the agents' data dirs. After `down`, this
 * must be empty.
 */
export async function processesUsing(directory: string): Promise<{ pid: number; command: string }[]> {
  const found: { pid: number; command: string }[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // exited, not yet reaped by its parent
      const command = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
      const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
      if (command.includes(directory) || cwd.startsWith(directory)) found.push({ pid, command });
    } catch {
      // The process exited while being looked at.
    }
  }
  return found;
}
