import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readProcessStat } from '../../agent/index.ts';
import type { ComponentSpec } from './cluster-state.ts';
import { writeIdentity, type ProcessIdentity } from './process-identity-file.ts';

/**
 * Starts one component as a detached child: its own process group (Ctrl-C in the terminal reaches
 * only `flotilla up`, which then stops everything in order), stdout and stderr appended to its log
 * file by the kernel (no pipe through the starter, so the starter may exit and the component keeps
 * logging). The identity is recorded before returning, so any process can act on it from then on.
 */
export async function launchComponent(directory: string, spec: ComponentSpec): Promise<ProcessIdentity> {
  await mkdir(dirname(spec.logPath), { recursive: true });
  const log = await open(spec.logPath, 'a');
  try {
    const child = spawn(spec.command, [...spec.args], {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, ...spec.env },
    });
    const pid = await spawnedPid(child, spec);
    child.unref();
    const stat = await readProcessStat(pid);
    // A process that exited at once still gets an identity that names nothing alive: callers see it stopped.
    const identity = { pid, startTicks: stat?.startTicks ?? 'exited' };
    await writeIdentity(directory, spec.name, identity);
    return identity;
  } finally {
    await log.close();
  }
}

/** The child's pid, or the spawn error (a missing program) with the component's name in it. */
function spawnedPid(child: ReturnType<typeof spawn>, spec: ComponentSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`could not start ${spec.name} (${spec.command}): ${error.message}`)));
    child.once('spawn', () => {
      if (child.pid === undefined) reject(new Error(`could not start ${spec.name}: no pid`));
      else resolve(child.pid);
    });
  });
}
