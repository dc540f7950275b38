import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { exitCodeForSignal, killQuietly, type ExecContext } from './process-exec.ts';
import type { ExecProcess, ExecStreamOptions } from './runtime.ts';

/** util-linux `script` gives a command a pseudo-terminal without native modules (for `exec -t`). */
const scriptProgram = '/usr/bin/script';

/** Quotes a word for `sh -c` (script runs its command through a shell). */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * Starts `command` in the container's directory and environment, in its own process group (so
 * kill reaches everything it started), with pipes for `kubectl exec`. With a tty, where `script`
 * exists, the command runs on a pseudo-terminal (window size changes are not passed on);
 * otherwise on pipes.
 */
export function execStreamInContext(command: readonly string[], context: Omit<ExecContext, 'timers'>, options: ExecStreamOptions): ExecProcess {
  const [file, ...args] = command;
  if (file === undefined) return failedExec(127, 'empty command\n');
  const useTerminal = options.tty && existsSync(scriptProgram);
  const [program, argv] = useTerminal ? [scriptProgram, ['-q', '-f', '-e', '-c', command.map(shellQuote).join(' '), '/dev/null']] : [file, args];
  const child = spawn(program, argv, { cwd: context.cwd, env: { ...context.env, ...(useTerminal ? { TERM: 'xterm' } : {}) }, detached: true, stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const stderr = new PassThrough();
  const stdout = new PassThrough();
  child.stderr?.pipe(stderr, { end: false });
  child.stdout?.pipe(stdout, { end: false });
  const exited = new Promise<number>((resolve) => {
    const finish = (exitCode: number, message?: string): void => {
      if (message !== undefined && !stderr.writableEnded) stderr.write(message);
      if (!stdout.writableEnded) stdout.end();
      if (!stderr.writableEnded) stderr.end();
      resolve(exitCode);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      const missing = error.code === 'ENOENT';
      finish(missing ? 127 : 126, `${missing ? `exec: "${file}": executable file not found in $PATH` : error.message}\n`);
    });
    // 'close' comes after the child's output streams closed, so nothing is cut off.
    child.on('close', (code, signal) => finish(code ?? exitCodeForSignal(signal)));
  });
  return {
    stdout,
    stderr,
    stdin: child.stdin,
    exited,
    kill: () => {
      if (child.pid !== undefined) killQuietly(-child.pid, 'SIGKILL');
    },
  };
}

function failedExec(exitCode: number, message: string): ExecProcess {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.end();
  stderr.end(message);
  return { stdout, stderr, stdin: null, exited: Promise.resolve(exitCode), kill: () => undefined };
}
