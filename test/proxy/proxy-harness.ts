import { spawn, type ChildProcess } from 'node:child_process';
import { request, type Agent } from 'node:http';
import { join } from 'node:path';
import { realEnv, silentLogger, findFreePort } from '../../common/index.ts';
import { MemorySource, ProxyNode, type ProxyNodeOptions } from '../../proxy/index.ts';

export const loopback = '127.0.0.1';
const fixture = join(import.meta.dirname, '..', 'fixtures', 'http-server.mjs');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` gives a value (a throw counts as "not yet"). */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => T | null | undefined | Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve().then(probe).catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A real backend process: test/fixtures/http-server.mjs, named by BACKEND_NAME (read back through /env). */
export class BackendProcess {
  private constructor(readonly name: string, readonly port: number, private readonly child: ChildProcess) {}

  static async start(name: string): Promise<BackendProcess> {
    const port = await findFreePort(loopback);
    const child = spawn(process.execPath, [fixture], { env: { ...process.env, PORT: String(port), HOST: loopback, BACKEND_NAME: name }, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('listening')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`backend ${name} exited with ${code}`)));
    });
    return new BackendProcess(name, port, child);
  }

  /** SIGKILL: the endpoint dies without warning. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request; `agent: false` (the default) opens a new connection each time. */
export function httpGet(port: number, path: string, options: { host?: string; headers?: Record<string, string>; agent?: Agent | false; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: loopback, port, path, headers: { ...(options.host === undefined ? {} : { host: options.host }), ...options.headers }, agent: options.agent ?? false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }));
      response.on('error', reject);
    });
    outgoing.setTimeout(options.timeoutMs ?? 10_000, () => outgoing.destroy(new Error(`GET ${path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Which fixture backend answered (its BACKEND_NAME). */
export async function backendNameVia(port: number): Promise<string> {
  const answer = await httpGet(port, '/env');
  if (answer.status !== 200) throw new Error(`status ${answer.status}: ${answer.body}`);
  return String((JSON.parse(answer.body) as Record<string, unknown>)['BACKEND_NAME']);
}

/** A ProxyNode on loopback in ports mode, fed by a MemorySource, with free ports for ingress and DNS. */
export async function startProxyNode(overrides: Partial<ProxyNodeOptions> = {}): Promise<{ node: ProxyNode; source: MemorySource }> {
  const source = overrides.source instanceof MemorySource ? overrides.source : new MemorySource();
  const node = new ProxyNode({
    env: realEnv(1), logger: silentLogger, source, nodeName: 'node-1', nodeAddress: loopback, listenAddress: loopback, mode: 'ports',
    httpPort: await findFreePort(loopback), httpsPort: await findFreePort(loopback), dnsPort: await findFreePort(loopback),
    proxyPortRange: { first: 20_000, last: 29_999 }, drainMs: 2_000,
    ...overrides,
  });
  await node.start();
  await node.whenProgrammed();
  return { node, source };
}

/** The proxy port the proxy recorded on a Service (waits for the write). */
export function proxyPortOf(source: MemorySource, name: string, portKey = '80/TCP', namespace = 'default'): Promise<number> {
  return eventually(`proxy port of ${name}`, 5_000, () => {
    const annotations = source.get('services', namespace, name)?.['metadata'];
    const raw = typeof annotations === 'object' && annotations !== null && !Array.isArray(annotations) ? (annotations['annotations'] as Record<string, string> | undefined)?.['flotilla.io/proxy-ports'] : undefined;
    if (raw === undefined) return null;
    return (JSON.parse(raw) as Record<string, number>)[portKey] ?? null;
  });
}

/** Waits until the proxy has a listener bound for the key (`TCP/127.0.0.1:20080`). */
export function listening(node: ProxyNode, key: string): Promise<true> {
  return eventually(`listener ${key}`, 5_000, () => (node.boundListeners.includes(key) ? true : null));
}
