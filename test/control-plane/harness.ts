import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { MvccStore } from '../../store/index.ts';
import { MvccObjectStore } from '../../control-plane/api/mvcc-object-store.ts';
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../control-plane/api/server.ts';

/** A real API server on a real store on a real LevelDB in a temp directory. */
export class ApiHarness {
  private constructor(
    readonly directory: string,
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    readonly store: MvccStore,
    readonly objectStore: MvccObjectStore,
    readonly server: ApiServer,
  ) {}

  static async start(options: Partial<Omit<ApiServerOptions, 'objectStore' | 'dataDir'>> = {}): Promise<ApiHarness> {
    const directory = await mkdtemp(join(tmpdir(), 'flotilla-api-'));
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const store = await MvccStore.open({ db });
    const objectStore = new MvccObjectStore(store);
    const server = await startApiServer({ ...options, dataDir: join(directory, 'data'), objectStore });
    return new ApiHarness(directory, db, store, objectStore, server);
  }

  get kubeconfig(): string {
    return this.server.kubeconfigPath;
  }

  /** Runs the installed kubectl against this server (own HOME so no discovery cache leaks between runs). */
  kubectl(args: readonly string[], options: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return runProcess('kubectl', ['--kubeconfig', this.kubeconfig, '--cache-dir', join(this.directory, 'kube-cache'), ...args], {
      ...options,
      env: { ...process.env, HOME: this.directory, KUBECONFIG: this.kubeconfig, ...options.env },
    });
  }

  /** Like kubectl() but throws with stderr when it fails. */
  async kubectlOk(args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.kubectl(args, options);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  async fetch(path: string, init: { method?: string; body?: string; headers?: Record<string, string>; token?: string | null } = {}): Promise<{ status: number; body: string; headers: Headers }> {
    const { request } = await import('node:https');
    const url = new URL(path, this.server.url);
    const headers: Record<string, string> = { ...init.headers };
    const token = init.token === undefined ? this.server.adminToken : init.token;
    if (token !== null) headers['Authorization'] = `Bearer ${token}`;
    if (init.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(init.body));
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method: init.method ?? 'GET', headers, ca: this.server.caCertificatePem }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            if (Array.isArray(value)) for (const item of value) responseHeaders.append(key, item);
            else if (value !== undefined) responseHeaders.set(key, value);
          }
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: responseHeaders });
        });
      });
      outgoing.on('error', reject);
      if (init.body !== undefined) outgoing.write(init.body);
      outgoing.end();
    });
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.store.close();
    await this.db.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

export function runProcess(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Reads a watch stream's JSON lines until `done` says stop (or the timeout), then closes it. */
export async function readWatch(
  harness: ApiHarness,
  path: string,
  done: (events: Array<{ type: string; object: Record<string, unknown> }>) => boolean,
  options: { headers?: Record<string, string>; timeoutMs?: number; whileOpen?: () => Promise<void> } = {},
): Promise<Array<{ type: string; object: Record<string, unknown> }>> {
  const { request } = await import('node:https');
  const events: Array<{ type: string; object: Record<string, unknown> }> = [];
  return new Promise((resolve, reject) => {
    const outgoing = request(
      new URL(path, harness.server.url),
      { headers: { Authorization: `Bearer ${harness.server.adminToken}`, ...options.headers }, ca: harness.server.caCertificatePem },
      (response) => {
        let buffer = '';
        const timer = setTimeout(() => {
          outgoing.destroy();
          reject(new Error(`watch timed out with ${JSON.stringify(events.map((event) => event.type))}`));
        }, options.timeoutMs ?? 10_000);
        const finish = () => {
          clearTimeout(timer);
          outgoing.destroy();
          resolve(events);
        };
        response.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          let newline = buffer.indexOf('\n');
          while (newline >= 0) {
            events.push(JSON.parse(buffer.slice(0, newline)) as { type: string; object: Record<string, unknown> });
            buffer = buffer.slice(newline + 1);
            newline = buffer.indexOf('\n');
          }
          if (done(events)) finish();
        });
        response.on('end', finish);
        if (options.whileOpen !== undefined) options.whileOpen().catch(reject);
      },
    );
    outgoing.on('error', (error) => {
      if (!done(events)) reject(error);
    });
    outgoing.end();
  });
}
