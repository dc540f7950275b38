import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Timers } from '../common/index.ts';
import type { ExecResult } from './runtime.ts';

/** Output kept from an exec (probes and hooks need a verdict, not a transcript); kubelet keeps 10 KiB. */
export const execOutputBytesMax = 64 * 1024;

export interface ExecContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timers: Timers;
}

/**
 * Runs `command` (no shell) with the container's directory and environment, in its own process
 * group so that a timeout kills everything it started. A command that cannot start exits 126/127
 * as a shell would report it; a timeout is a failure, as kubelet counts it since 1.20.
 */
export function execInContext(command: readonly string[], context: ExecContext, timeoutMs: number, signal?: AbortSignal): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve) => {
    const [file, ...args] = command;
    if (file === undefined) {
      resolve({ exitCode: 127, stdout: '', stderr: 'empty command', timedOut: false });
      return;
    }
    const child = spawn(file, args, { cwd: context.cwd, env: context.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = new BoundedText();
    const stderr = new BoundedText();
    child.stdout.on('data', (chunk: Buffer) => stdout.add(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
    let timedOut = false;
    const killGroup = (): void => {
      if (child.pid !== undefined) killQuietly(-child.pid, 'SIGKILL');
    };
    const timer = context.timers.setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    signal?.addEventListener('abort', killGroup, { once: true });
    let settled = false;
    const finish = (exitCode: number): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      signal?.removeEventListener('abort', killGroup);
      resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text(), timedOut });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      stderr.add(Buffer.from(String(error.message)));
      finish(error.code === 'ENOENT' ? 127 : 126);
    });
    child.on('close', (code, signalName) => finish(code ?? exitCodeForSignal(signalName)));
  });
}

/** Signals a process (or, negative, a process group); never 0/±1, which would mean "everyone". */
export function killQuietly(pid: number, signal: NodeJS.Signals): boolean {
  if (Math.abs(pid) <= 1) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Container runtimes report death by signal N as exit code 128 + N. */
export function exitCodeForSignal(signal: NodeJS.Signals | null): number {
  return 128 + (signal === null ? 0 : constants.signals[signal]);
}

class BoundedText {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  add(chunk: Buffer): void {
    const room = execOutputBytesMax - this.bytes;
    if (room <= 0) return;
    const kept = chunk.subarray(0, room);
    this.chunks.push(kept);
    this.bytes += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}
