import { spawn, type ChildProcess } from 'node:child_process';
import { open } from 'node:fs/promises';
import { AgentError, AgentErrorCode } from './errors.ts';

/**
 * The container's parent: ignores SIGTERM/SIGINT/SIGHUP for itself (the trap handler is reset for
 * the command it runs, which gets the signal as the group's member), waits for the command and
 * writes its exit status next to the state file, so that the status survives an agent restart
 * (a re-adopted process is not our child and its exit status would otherwise be lost).
 */
export const wrapperScript = 'trap : TERM INT HUP; f=$1; shift; "$@"; code=$?; printf "%s\\n" "$code" > "$f"; exit "$code"';

export interface SpawnedWrapper {
  readonly child: ChildProcess;
  /** Listened to from the moment of spawn, so a process that dies at once is not missed. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the wrapper in a new session (its own process group), stdout+stderr appended to the log. */
export async function spawnWrapped(argv: readonly string[], exitFile: string, logFile: string, cwd: string, env: Record<string, string>): Promise<SpawnedWrapper> {
  if (argv.length === 0) throw new AgentError(AgentErrorCode.startFailed, 'container has no command (the process runtime has no image entrypoint)');
  const log = await open(logFile, 'a', 0o640);
  try {
    const child = spawn('/bin/sh', ['-c', wrapperScript, 'flotilla-container', exitFile, ...argv], { cwd, env, detached: true, stdio: ['ignore', log.fd, log.fd] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return { child, exited };
  } finally {
    await log.close();
  }
}
