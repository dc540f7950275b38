import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readProcessStat } from '../proc-stat.ts';

/**
 * One agent per data directory: two would each think they own the same containers and could run
 * two copies of a pod. The lock is `agent.pid` (created exclusively); a lock left by a dead agent
 * (its pid gone) is taken over.
 */
export async function lockDataDirectory(directory: string): Promise<{ release(): Promise<void> }> {
  const path = join(directory, 'agent.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && (await readProcessStat(holder)) !== undefined) {
        throw new Error(`another flotilla agent (pid ${holder}) uses ${directory}; stop it first, or give this one its own --data-dir`);
      }
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
