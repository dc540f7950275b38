import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findFreePorts } from '../../common/index.ts';

/** How long a nats-server may take to accept connections. */
const startTimeoutMs = 10_000;

/**
 * A real `nats-server` child process on a loopback port (the binary CI installs with apt), with
 * its log in `directory`. It can be stopped and started again on the same port (a NATS restart).
 */
export class NatsServerProcess {
  private child: ChildProcess | null = null;
  private log: WriteStream | null = null;

  private constructor(readonly port: number, readonly clusterPort: number, private readonly routes: readonly number[], private readonly logPath: string, readonly name: string) {}

  static async start(directory: string, name = 'nats'): Promise<NatsServerProcess> {
    const [port = 0] = await findFreePorts(1);
    const server = new NatsServerProcess(port, 0, [], join(directory, `${name}.log`), name);
    await server.start();
    return server;
  }

  /** Three servers with routes between them: a NATS cluster. */
  static async startCluster(directory: string, size = 3): Promise<NatsServerProcess[]> {
    const ports = await findFreePorts(size * 2);
    const clusterPorts = ports.slice(size);
    const servers = Array.from({ length: size }, (_, index) => new NatsServerProcess(
      ports[index] ?? 0, clusterPorts[index] ?? 0, clusterPorts.filter((_, other) => other !== index), join(directory, `nats-${index + 1}.log`), `nats-${index + 1}`,
    ));
    await Promise.all(servers.map((server) => server.start()));
    return servers;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.isRunning()) return;
    const args = ['-a', '127.0.0.1', '-p', String(this.port), '-n', this.name];
    if (this.clusterPort > 0) {
      args.push('--cluster_name', 'flotilla-test', '--cluster', `nats://127.0.0.1:${this.clusterPort}`, '--routes', this.routes.map((port) => `nats://127.0.0.1:${port}`).join(','));
    }
    this.log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn('nats-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    this.child = child;
    await waitForPort(this.port, startTimeoutMs);
  }

  /** SIGKILL (a crash) or SIGTERM; waits for the exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child === null || !this.isRunning()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.log?.end();
    this.child = null;
  }
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
