import { spawn, type ChildProcess } from 'node:child_process';
import { flotillaBin } from '../../chaos/cluster/index.ts';

/**
 * A `flotilla` command run as a real child process (as a user runs it), its stdout and stderr
 * collected so a test can wait for a line, signal it (Ctrl-C is SIGINT) and wait for its exit code.
 */
export class FlotillaCommandProcess {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    this.child = spawn(process.execPath, [flotillaBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get text(): string {
    return this.output;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves with the first match of `pattern` in the output; fails with the output so far if it exits or times out first. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = this.output.match(pattern);
      if (match !== null) return match;
      if (exited) throw new Error(`flotilla exited before printing ${pattern}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`flotilla did not print ${pattern} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** Runs a flotilla command to its end. */
export async function runFlotilla(args: readonly string[], timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const command = new FlotillaCommandProcess(args);
  const timer = setTimeout(() => command.signal('SIGKILL'), timeoutMs);
  const code = await command.exited;
  clearTimeout(timer);
  return { code, output: command.text };
}
