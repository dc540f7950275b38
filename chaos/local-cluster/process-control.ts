import { readdir } from 'node:fs/promises';
import { readProcessStat } from '../../agent/index.ts';
import { sleep, type Env } from '../../common/index.ts';
import { LocalClusterLimits } from './limits.ts';
import type { ProcessIdentity } from './process-identity-file.ts';

/** `paused`: stopped by SIGSTOP (state T in /proc), so it holds its ports but answers nothing. */
export type ProcessState = 'running' | 'paused' | 'stopped';

/** What /proc says about a recorded process; a pid now owned by another program counts as stopped. */
export async function processState(identity: ProcessIdentity | null): Promise<ProcessState> {
  if (identity === null) return 'stopped';
  const stat = await readProcessStat(identity.pid);
  if (stat === undefined || stat.startTicks !== identity.startTicks) return 'stopped';
  if (stat.state === 'Z' || stat.state === 'X') return (await hasLiveThreads(identity.pid)) ? 'running' : 'stopped';
  return stat.state === 'T' ? 'paused' : 'running';
}

/**
 * A thread-group leader shows Z as soon as its own thread is gone, while the process's other
 * threads (Node's thread pool, V8's workers) may still be exiting and still hold its sockets: a
 * restart in that window finds the ports taken (seen after kill -9 of an agent, then an
 * immediate start). The process is gone only when no other thread is left.
 */
async function hasLiveThreads(pid: number): Promise<boolean> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  for (const task of tasks) {
    if (task === String(pid)) continue;
    const stat = await readProcessStat(Number(task));
    if (stat !== undefined && stat.state !== 'Z' && stat.state !== 'X') return true;
  }
  return false;
}

/** Signals the process only if it is still the one recorded (pid and start time). */
export async function signalProcess(identity: ProcessIdentity, signal: NodeJS.Signals): Promise<boolean> {
  if ((await processState(identity)) === 'stopped') return false;
  try {
    process.kill(identity.pid, signal);
    return true;
  } catch {
    return false; // it exited between the check and the signal
  }
}

/** True once the process is gone, false if it is still there at the deadline. */
export async function waitForExit(env: Env, identity: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = env.clock.nowMs() + timeoutMs;
  for (;;) {
    if ((await processState(identity)) === 'stopped') return true;
    if (env.clock.nowMs() >= deadline) return false;
    await sleep(env.timers, LocalClusterLimits.exitPollMs);
  }
}

/**
 * SIGTERM (after SIGCONT, since a paused process cannot act on it), then SIGKILL once the grace is
 * over. Resolves when the process is gone; throws only if even SIGKILL did not remove it.
 */
export async function terminateProcess(env: Env, identity: ProcessIdentity, graceMs: number = LocalClusterLimits.stopGraceMs): Promise<void> {
  if (!(await signalProcess(identity, 'SIGCONT'))) return;
  await signalProcess(identity, 'SIGTERM');
  if (await waitForExit(env, identity, graceMs)) return;
  await killProcess(env, identity);
}

/** kill -9, and wait until the kernel has removed it. */
export async function killProcess(env: Env, identity: ProcessIdentity): Promise<void> {
  await signalProcess(identity, 'SIGKILL');
  if (!(await waitForExit(env, identity, LocalClusterLimits.killWaitMs))) {
    throw new Error(`process ${identity.pid} is still there ${LocalClusterLimits.killWaitMs} ms after SIGKILL`);
  }
}
