import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { silentLogger } from '../../common/index.ts';
import type { EtcdApiLimits } from '../../store/etcd-api/api-limits.ts';
import type { EtcdBackend } from '../../store/etcd-api/backend.ts';
import { etcdPackageDefinition } from '../../store/etcd-api/proto.ts';
import { startEtcdApiServer, type EtcdApiServer } from '../../store/etcd-api/server.ts';

/** Test helpers: a server on a free loopback port, raw gRPC clients, and the real etcdctl. */

export interface Harness {
  readonly server: EtcdApiServer;
  readonly endpoint: string;
  readonly raw: RawClients;
  close(): Promise<void>;
}

export async function startHarness(backend: EtcdBackend, limits: Partial<EtcdApiLimits> = {}): Promise<Harness> {
  const server = await startEtcdApiServer({ host: '127.0.0.1', port: 0, backend, logger: silentLogger, limits });
  const endpoint = `127.0.0.1:${server.port}`;
  const raw = rawClients(endpoint);
  return {
    server,
    endpoint,
    raw,
    close: async () => {
      raw.close();
      await server.close({ graceMs: 500 });
    },
  };
}

type UnaryMethod = (request: object, callback: (error: ServiceError | null, response: unknown) => void) => void;
type ClientConstructor = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client;

export interface RawClients {
  /** Calls `Service.Method` and resolves with the decoded response (longs as strings). */
  call<T = Record<string, unknown>>(service: string, method: string, request: object): Promise<T>;
  /** Like `call`, but resolves with the gRPC error (fails the test if the call succeeds). */
  callError(service: string, method: string, request: object): Promise<ServiceError>;
  client(service: string): Client;
  close(): void;
}

export function rawClients(endpoint: string): RawClients {
  const loaded = loadPackageDefinition(etcdPackageDefinition()) as unknown as {
    etcdserverpb: Record<string, ClientConstructor>;
  };
  const clients = new Map<string, Client>();
  const client = (service: string): Client => {
    let existing = clients.get(service);
    if (existing === undefined) {
      const Constructor = loaded.etcdserverpb[service];
      if (Constructor === undefined) throw new Error(`no service ${service}`);
      existing = new Constructor(endpoint, credentials.createInsecure());
      clients.set(service, existing);
    }
    return existing;
  };
  const call = <T>(service: string, method: string, request: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const target = client(service) as unknown as Record<string, UnaryMethod>;
      const fn = target[method];
      if (fn === undefined) throw new Error(`no method ${service}.${method}`);
      fn.call(target, request, (error, response) => (error === null ? resolve(response as T) : reject(error)));
    });
  return {
    call,
    callError: async (service, method, request) => {
      try {
        await call(service, method, request);
      } catch (error) {
        return error as ServiceError;
      }
      throw new Error(`${service}.${method} unexpectedly succeeded`);
    },
    client,
    close: () => {
      for (const each of clients.values()) each.close();
    },
  };
}

export interface EtcdctlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the installed etcdctl (v3 API) against the endpoint; never throws on a non-zero exit. */
export function etcdctl(endpoint: string, args: readonly string[], input?: string): Promise<EtcdctlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'etcdctl',
      ['--endpoints', endpoint, '--command-timeout=5s', '--dial-timeout=3s', ...args],
      { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** A long-running `etcdctl watch`: its stdout accumulates until `stop()`. */
export function etcdctlWatch(endpoint: string, args: readonly string[]): { output(): string; stop(): Promise<void>; child: ChildProcess } {
  const child = spawn('etcdctl', ['--endpoints', endpoint, 'watch', ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return {
    output: () => output,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function eventually(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const bytes = (text: string): Buffer => Buffer.from(text);
