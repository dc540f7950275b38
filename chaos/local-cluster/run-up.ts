import { sleep, type Env, type Logger } from '../../common/index.ts';
import type { ClusterHealth } from './cluster-health.ts';
import { deployDemo, waitForDemo, type DemoUrls } from './demo-app.ts';
import { LocalClusterLimits } from './limits.ts';
import { LocalCluster, type ComponentStatus } from './local-cluster.ts';
import { gatherPrerequisiteFacts } from './prerequisite-facts.ts';
import { checkPrerequisites, formatPrerequisites } from './prerequisites.ts';
import { claimSupervisor, releaseSupervisor } from './supervisor-record.ts';

export interface UpOptions {
  readonly directory: string;
  readonly servers?: 3 | 5;
  readonly agents?: number;
  readonly natsServers?: 1 | 3;
  readonly ingressHttpPort?: number;
  readonly demo: boolean;
  /** Start, wait until healthy, print, exit; `flotilla down` stops it later. */
  readonly detach: boolean;
  readonly timeoutMs: number;
  readonly env: Env;
  readonly logger: Logger;
  readonly write: (text: string) => void;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM (`flotilla down` sends it to a foreground `up`). */
  readonly stop: AbortSignal;
}

/**
 * `flotilla up`: prerequisites, start (or resume) the cluster in the directory, wait until it is
 * healthy, optionally deploy the demo, print the next steps; then, in the foreground, report
 * components that stop or come back until Ctrl-C, which stops everything. Returns the exit code.
 */
export async function runUp(options: UpOptions): Promise<number> {
  const { write } = options;
  const report = checkPrerequisites(await gatherPrerequisiteFacts());
  write(formatPrerequisites(report));
  if (report.missing.length > 0) return 1;
  try {
    await claimSupervisor(options.directory);
  } catch (error) {
    write(`flotilla up: ${(error as Error).message}\n`);
    return 1;
  }
  let cluster: LocalCluster | null = null;
  try {
    write(`Starting a local Flotilla cluster in ${options.directory}\n`);
    cluster = await LocalCluster.start({
      directory: options.directory, env: options.env, logger: options.logger, signal: options.stop, onProgress: (line) => write(`  ${line}\n`),
      ...(options.servers === undefined ? {} : { servers: options.servers }),
      ...(options.agents === undefined ? {} : { agents: options.agents }),
      ...(options.natsServers === undefined ? {} : { natsServers: options.natsServers }),
      ...(options.ingressHttpPort === undefined ? {} : { ingressHttpPort: options.ingressHttpPort }),
    });
    const health = await cluster.waitUntilHealthy({ timeoutMs: options.timeoutMs, signal: options.stop, onChange: (seen) => write(`  waiting: ${describeHealth(cluster, seen)}\n`) });
    write(`Cluster healthy: leader ${health.leader} (term ${health.term}), API on ${health.apiReady.join(', ')}, nodes Ready: ${health.nodesReady.join(', ')}\n`);
    const demo = options.demo ? await startDemo(cluster, options) : null;
    write(nextSteps(cluster, demo, options));
    if (options.detach) return 0;
    await supervise(cluster, options);
    write('Stopping the cluster (data stays; flotilla up brings it back)…\n');
    await cluster.down();
    write('Stopped.\n');
    return 0;
  } catch (error) {
    write(`flotilla up: ${(error as Error).message}\n`);
    const started = cluster ?? (await LocalCluster.attach(options.directory, options.env).catch(() => null));
    if (started !== null) {
      write(options.stop.aborted ? 'Stopping what was started…\n' : `Stopping what was started; logs are in ${started.directory}/logs\n`);
      await started.down();
    }
    return options.stop.aborted ? 0 : 1;
  } finally {
    await releaseSupervisor(options.directory);
  }
}

async function startDemo(cluster: LocalCluster, options: UpOptions): Promise<DemoUrls> {
  const credentials = await cluster.credentials();
  if (credentials === null) throw new Error('the API credentials disappeared from the data directories');
  options.write('Deploying the demo (examples/hello: Deployment, Service, Ingress)…\n');
  await deployDemo(options.env, cluster.state, credentials);
  const urls = await waitForDemo(options.env, cluster.state, credentials, { timeoutMs: options.timeoutMs, signal: options.stop });
  options.write(`Demo answering: ${urls.ingressUrl} (Ingress) and ${urls.serviceUrl} (Service hello, proxy port)\n`);
  return urls;
}

function describeHealth(cluster: LocalCluster | null, health: ClusterHealth): string {
  const servers = cluster?.state.servers.length ?? 0;
  const nodes = cluster?.state.nodes.length ?? 0;
  return [
    health.leader === null ? 'electing a leader' : `leader ${health.leader}`,
    `API ready ${health.apiReady.length}/${servers}`,
    health.balancerReady ? 'stable address answering' : 'stable address not answering yet',
    `nodes Ready ${health.nodesReady.length}/${nodes}`,
  ].join(' · ');
}

function nextSteps(cluster: LocalCluster, demo: DemoUrls | null, options: UpOptions): string {
  const lines = [
    '',
    'Next steps:',
    `  export KUBECONFIG=${cluster.kubeconfigPath}`,
    '  kubectl get nodes',
    ...(demo === null ? ['  (flotilla up --demo deploys examples/hello)'] : [`  kubectl get deployment,service,ingress hello`, `  curl ${demo.ingressUrl}`]),
    `  flotilla status --dir ${options.directory}     # every component, its pid and log`,
    `  flotilla down --dir ${options.directory}       # stop everything (the data stays)`,
    '',
    options.detach
      ? `Running in the background; logs in ${cluster.directory}/logs.`
      : `Running in the foreground: Ctrl-C here (or flotilla down --dir ${options.directory}) stops the cluster; logs in ${cluster.directory}/logs.`,
    '',
  ];
  return lines.join('\n');
}

/** Reports components that stop or come back (a chaos experiment, a crash) until asked to stop. */
async function supervise(cluster: LocalCluster, options: UpOptions): Promise<void> {
  let last = new Map((await cluster.status()).map((component) => [component.name, component]));
  while (!options.stop.aborted) {
    await sleep(options.env.timers, LocalClusterLimits.superviseIntervalMs, options.stop);
    if (options.stop.aborted) return;
    const now = await cluster.status();
    for (const component of now) {
      const before = last.get(component.name);
      if (before !== undefined && before.state !== component.state) options.write(`  ${describeChange(component)}\n`);
    }
    last = new Map(now.map((component) => [component.name, component]));
  }
}

function describeChange(component: ComponentStatus): string {
  if (component.state === 'stopped') return `${component.name} stopped (see ${component.logPath})`;
  return `${component.name} is ${component.state} (pid ${component.pid})`;
}
