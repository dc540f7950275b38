import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './etcd-cluster.ts';

export interface HaproxyInstance {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The anchor: HAProxy with a generated config, one frontend and a roundrobin backend of one server,
 * in `http` mode (keep-alive to the server, as the ingress) or `tcp` mode (as the service proxy).
 * One thread, as the Flotilla proxy is one Node event loop.
 */
export function haproxyConfig(mode: 'http' | 'tcp', listenPort: number, backendPort: number): string {
  return [
    'global',
    '  maxconn 4096',
    '  nbthread 1',
    'defaults',
    `  mode ${mode}`,
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    ...(mode === 'http' ? ['  option http-keep-alive', '  http-reuse safe'] : []),
    'frontend bench',
    `  bind 127.0.0.1:${listenPort}`,
    '  default_backend servers',
    'backend servers',
    '  balance roundrobin',
    `  server s1 127.0.0.1:${backendPort}`,
    '',
  ].join('\n');
}

export async function startHaproxy(mode: 'http' | 'tcp', listenPort: number, backendPort: number): Promise<HaproxyInstance> {
  const directory = await mkdtemp(join(tmpdir(), 'flotilla-bench-haproxy-'));
  const config = join(directory, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(mode, listenPort, backendPort));
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitForPort(listenPort, () => (child.exitCode !== null ? `haproxy exited: ${stderr}` : null));
  return {
    port: listenPort,
    stop: async () => {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Waits (at most 10 s) until something accepts connections on the port. */
export async function waitForPort(port: number, failure: () => string | null = () => null): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const problem = failure();
    if (problem !== null) throw new Error(problem);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
