import { spawn, type ChildProcess } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { BindMount } from './bind-mounts.ts';
import type { Timers } from '../common/index.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import { withTimeout } from './wait.ts';

/**
 * The container's parent: ignores SIGTERM/SIGINT/SIGHUP for itself (the trap handler is reset for
 * the command it runs, which gets the signal as the group's member), waits for the command and
 * writes its exit status next to the state file, so that the status survives an agent restart
 * (a re-adopted process is not our child and its exit status would otherwise be lost).
 *
 * Before the command it joins the container's cgroups (`$$` into each cgroup.procs: the command
 * inherits them, so no process of the container ever runs outside its limits) and, in root mode,
 * bind-mounts the volumes in the mount namespace `unshare` gave it (readOnly by a read-only
 * remount). A setup step that fails exits 125 (the code container runtimes use for "could not
 * start"), with the reason in the container's log.
 *
 * Then it says "ready" on descriptor 3 and closes it, so start() returns only once the container
 * is set up (an exec or probe right after start sees its mounts and cgroups), and the command
 * does not inherit it.
 *
 * Arguments: exit file, number of cgroup.procs files, the files, number of mounts, the mount
 * program (absolute: the container's PATH is the spec's), then (source, target, ro|rw) per
 * mount, then the command.
 */
export const wrapperScript = [
  'trap : TERM INT HUP',
  'f=$1; n=$2; shift 2',
  'fail() { printf "%s\\n" "flotilla: $1" >&2; printf "125\\n" > "$f"; exit 125; }',
  'while [ "$n" -gt 0 ]; do printf "%s\\n" "$$" > "$1" || fail "cannot join cgroup $1"; shift; n=$((n-1)); done',
  'n=$1; m=$2; shift 2',
  'while [ "$n" -gt 0 ]; do "$m" --bind "$1" "$2" || fail "cannot mount $1 at $2"; if [ "$3" = ro ]; then "$m" -o remount,bind,ro "$2" || fail "cannot make $2 read-only"; fi; shift 3; n=$((n-1)); done',
  'printf "ready\\n" >&3; exec 3>&-',
  '"$@"; code=$?; printf "%s\\n" "$code" > "$f"; exit "$code"',
].join('\n');

export interface WrapperSetup {
  /** cgroup.procs files the wrapper writes its pid to before it starts the command. */
  readonly cgroupProcsFiles: readonly string[];
  /** Mounts made first; only with `unshare`. */
  readonly binds: readonly BindMount[];
  /** util-linux unshare: run the wrapper in a new mount namespace with private propagation. */
  readonly unshare?: string;
  /** util-linux mount, for the binds. */
  readonly mount?: string;
}

export interface SpawnedWrapper {
  readonly child: ChildProcess;
  /** Listened to from the moment of spawn, so a process that dies at once is not missed. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The argv that runs the wrapper (pure): `sh -c`, under `unshare` in root mode. */
export function wrapperArgv(argv: readonly string[], exitFile: string, setup: WrapperSetup): string[] {
  const mounts = setup.binds.flatMap((bind) => [bind.source, bind.target, bind.readOnly ? 'ro' : 'rw']);
  const shell = ['/bin/sh', '-c', wrapperScript, 'flotilla-container', exitFile, String(setup.cgroupProcsFiles.length), ...setup.cgroupProcsFiles, String(setup.binds.length), setup.mount ?? 'mount', ...mounts, ...argv];
  return setup.unshare === undefined ? shell : [setup.unshare, '--mount', '--propagation', 'private', ...shell];
}

const noSetup: WrapperSetup = { cgroupProcsFiles: [], binds: [] };

/** How long start waits for the wrapper's "ready" (a few mounts and cgroup writes take milliseconds). */
export const wrapperSetupTimeoutMs = 10_000;

/** Spawns the wrapper in a new session (its own process group), stdout+stderr appended to the log. */
export async function spawnWrapped(argv: readonly string[], exitFile: string, logFile: string, cwd: string, env: Record<string, string>, timers: Timers, setup: WrapperSetup = noSetup): Promise<SpawnedWrapper> {
  if (argv.length === 0) throw new AgentError(AgentErrorCode.startFailed, 'container has no command (the process runtime has no image entrypoint)');
  if (setup.binds.length > 0 && setup.unshare === undefined) throw new AgentError(AgentErrorCode.startFailed, 'bind mounts need a mount namespace');
  const log = await open(logFile, 'a', 0o640);
  try {
    const [program = '/bin/sh', ...args] = wrapperArgv(argv, exitFile, setup);
    const child = spawn(program, args, { cwd, env, detached: true, stdio: ['ignore', log.fd, log.fd, 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    await setUp(child, exited, timers);
    return { child, exited };
  } finally {
    await log.close();
  }
}

/** Resolves when the wrapper closed descriptor 3 (set up, or failed and exiting), or after the timeout. */
async function setUp(child: ChildProcess, exited: Promise<unknown>, timers: Timers): Promise<void> {
  const channel = child.stdio[3];
  if (channel === undefined || channel === null || !('on' in channel)) return;
  const closed = new Promise<void>((resolve) => {
    channel.on('data', () => undefined);
    channel.once('close', resolve);
    channel.once('error', () => resolve());
  });
  await withTimeout(timers, Promise.race([closed, exited]), wrapperSetupTimeoutMs);
  channel.destroy();
}
