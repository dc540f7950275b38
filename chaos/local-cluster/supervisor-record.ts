import { readProcessStat } from '../../agent/index.ts';
import type { Env } from '../../common/index.ts';
import { LocalClusterLimits } from './limits.ts';
import { processState, signalProcess, waitForExit } from './process-control.ts';
import { readIdentity, removeIdentity, writeIdentity } from './process-identity-file.ts';

/** The identity file of the foreground `flotilla up` that supervises the cluster in a directory. */
const supervisorName = 'supervisor';

/** The pid of a live supervisor of `directory`, or null. */
export async function liveSupervisor(directory: string): Promise<number | null> {
  const identity = await readIdentity(directory, supervisorName);
  return identity !== null && (await processState(identity)) !== 'stopped' ? identity.pid : null;
}

/** Records this process as the supervisor; refuses when another live one is recorded. */
export async function claimSupervisor(directory: string): Promise<void> {
  const other = await liveSupervisor(directory);
  if (other !== null && other !== process.pid) throw new Error(`flotilla up is already running for ${directory} (pid ${other}); stop it with Ctrl-C there or flotilla down --dir ${directory}`);
  const stat = await readProcessStat(process.pid);
  await writeIdentity(directory, supervisorName, { pid: process.pid, startTicks: stat?.startTicks ?? '' });
}

export async function releaseSupervisor(directory: string): Promise<void> {
  const identity = await readIdentity(directory, supervisorName);
  if (identity?.pid === process.pid) await removeIdentity(directory, supervisorName);
}

/**
 * Asks a foreground `flotilla up` to stop the cluster (SIGTERM: it runs the same `down`) and waits
 * for it, so its own output ends cleanly; true if there was one and it exited.
 */
export async function stopSupervisor(env: Env, directory: string): Promise<boolean> {
  const identity = await readIdentity(directory, supervisorName);
  if (identity === null || identity.pid === process.pid || !(await signalProcess(identity, 'SIGTERM'))) return false;
  // Its `down` stops every component, each with its own grace: allow for all of them in turn.
  return await waitForExit(env, identity, LocalClusterLimits.stopGraceMs * 6);
}
