import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { projectPath } from '../../common/index.ts';

/** The `flotilla` launcher, found from the checkout's root so harnesses work from any working directory. */
export const flotillaBin = projectPath('bin/flotilla.js');

export interface ServerProcessSpec {
  readonly name: string;
  readonly args: readonly string[];
  readonly logPath: string;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * One real `flotilla server` child process, with its output appended to a log file. It can be
 * killed, paused and restarted with the same arguments (so the same data dir).
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream | null = null;
  private paused = false;

  constructor(readonly spec: ServerProcessSpec) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  isPaused(): boolean {
    return this.paused;
  }

  start(): void {
    if (this.isRunning()) return;
    this.log = createWriteStream(this.spec.logPath, { flags: 'a' });
    const child = spawn(process.execPath, [flotillaBin, ...this.spec.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...this.spec.env },
    });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    this.paused = false;
  }

  /** Sends a signal; SIGKILL and SIGTERM wait for the exit. */
  async signal(signal: NodeJS.Signals, exitWaitMs = 10_000): Promise<void> {
    const child = this.child;
    if (child === null || !this.isRunning()) return;
    if (signal === 'SIGSTOP') {
      child.kill('SIGSTOP');
      this.paused = true;
      return;
    }
    if (signal === 'SIGCONT') {
      child.kill('SIGCONT');
      this.paused = false;
      return;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (this.paused) child.kill('SIGCONT');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), exitWaitMs);
    await exited;
    clearTimeout(timer);
    this.paused = false;
    this.log?.end();
    this.log = null;
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** The exit code of the last run, or null while running / never ran / killed by a signal. */
  exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }
}
