import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProcessCluster, flotillaBin } from '../../chaos/cluster/index.ts';
import { findFreePorts } from '../../common/index.ts';
import { runProcess } from '../control-plane/harness.ts';
import { apiRequest, type ApiEndpoint } from './api-cluster-client.ts';

const host = '127.0.0.1';

export interface KubectlOptions {
  /** flotilla (replica 1, the default), flotilla-2, flotilla-3. */
  readonly context?: string;
  readonly input?: string;
  readonly timeoutMs?: number;
  readonly env?: Record<string, string>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it gives a value (a throw counts as "not yet"). */
export async function eventually<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * The Kubernetes API on 3 real `flotilla server` processes (each with --api-listen), with the
 * kubeconfig `flotilla kubeconfig` writes (contexts flotilla, flotilla-2, flotilla-3). The
 * scheduler and controllers run on whichever replica leads, as in production.
 */
export class ApiClusterHarness {
  readonly contexts = ['flotilla', 'flotilla-2', 'flotilla-3'] as const;

  private constructor(
    readonly cluster: ProcessCluster,
    readonly kubeconfig: string,
    readonly endpoints: readonly ApiEndpoint[],
  ) {}

  static async start(options: { extraArgs?: readonly string[] } = {}): Promise<ApiClusterHarness> {
    const apiPorts = await findFreePorts(3);
    const cluster = await ProcessCluster.start({
      size: 3,
      relays: false,
      ...(options.extraArgs === undefined ? {} : { extraArgs: options.extraArgs }),
      perMemberArgs: (_name, index) => ['--api-listen', `${host}:${apiPorts[index]}`],
    });
    try {
      const first = cluster.members[0];
      if (first === undefined) throw new Error('no members');
      // Each replica writes the cluster token next to its data once its API is up.
      // Both files are written as the API starts, one after the other: wait for the pair.
      const { token, ca } = await eventually('the first API', 30_000, async () => ({
        token: (await readFile(join(first.dataDir, 'api', 'auth', 'admin.token'), 'utf8')).trim(),
        ca: await readFile(join(first.dataDir, 'api', 'pki', 'ca.crt'), 'utf8'),
      }));
      const endpoints = apiPorts.map((port) => ({ url: `https://${host}:${port}`, ca, token }));
      for (const endpoint of endpoints) {
        await eventually(endpoint.url, 30_000, async () => ((await apiRequest(endpoint, 'GET', '/api/v1/namespaces/default')).status === 200 ? true : null));
      }
      const kubeconfig = join(cluster.directory, 'kubeconfig');
      const written = await runProcess(process.execPath, [flotillaBin, 'kubeconfig', '--endpoints', apiPorts.map((port) => `${host}:${port}`).join(','), '--data-dir', first.dataDir, '--out', kubeconfig]);
      if (written.code !== 0) throw new Error(`flotilla kubeconfig failed: ${written.stderr}`);
      return new ApiClusterHarness(cluster, kubeconfig, endpoints);
    } catch (error) {
      await cluster.stop({ keepFiles: true });
      throw error;
    }
  }

  get directory(): string {
    return this.cluster.directory;
  }

  /** Runs the installed kubectl (own HOME and cache per context, so nothing leaks between runs). */
  kubectl(args: readonly string[], options: KubectlOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const context = options.context ?? 'flotilla';
    const home = this.cluster.directory;
    return runProcess('kubectl', ['--kubeconfig', this.kubeconfig, '--context', context, '--cache-dir', join(home, `kube-cache-${context}`), ...args], {
      env: { ...process.env, HOME: home, KUBECONFIG: this.kubeconfig, ...options.env },
      ...(options.input === undefined ? {} : { input: options.input }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  /** Like kubectl() but throws with stderr when it fails. */
  async kubectlOk(args: readonly string[], options: KubectlOptions = {}): Promise<string> {
    const result = await this.kubectl(args, options);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} on ${options.context ?? 'flotilla'} failed (${result.code}): ${result.stderr}${result.stdout}`);
    return result.stdout;
  }

  async stop(): Promise<void> {
    await this.cluster.stop();
  }
}
