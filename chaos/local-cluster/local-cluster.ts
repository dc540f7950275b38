import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sleep, silentLogger, type Env, type Logger } from '../../common/index.ts';
import { flotillaBin } from '../cluster/server-process.ts';
import type { RelayFault } from '../relay/fault-relay.ts';
import { readApiBalancerStatus, type ApiBalancerStatus } from './api-balancer.ts';
import { isHealthy, observeHealth, type ClusterHealth } from './cluster-health.ts';
import { planCluster, portsNeeded } from './cluster-plan.ts';
import { componentOf, readClusterState, writeClusterState, type ClusterState, type ComponentKind, type ComponentSpec } from './cluster-state.ts';
import { launchComponent } from './component-launcher.ts';
import { stopLeftContainers } from './container-cleanup.ts';
import { readApiCredentials, writeLocalKubeconfig, type ApiCredentials } from './kubeconfig-writer.ts';
import { LocalClusterLimits } from './limits.ts';
import { assignPorts } from './port-assignment.ts';
import { isEndpointFree, waitForListener } from './port-check.ts';
import { findExecutable } from './prerequisite-facts.ts';
import { killProcess, processState, signalProcess, terminateProcess, type ProcessState } from './process-control.ts';
import { readIdentity, removeIdentity } from './process-identity-file.ts';
import { healFaults, listLinkFaults, partitionFaults, setLinkFaults, type LinkFault } from './relay-control.ts';

export interface LocalClusterOptions {
  /** Where state, data, logs and the kubeconfig live; the same directory later is the same cluster. */
  readonly directory: string;
  readonly env: Env;
  /** Raft replicas (default 3). */
  readonly servers?: 3 | 5;
  /** Worker nodes, each an agent running the node proxy (default 2). */
  readonly agents?: number;
  /** One nats-server (default) or a 3-server NATS cluster. */
  readonly natsServers?: 1 | 3;
  /** NATS subject prefix (default `flotilla`). */
  readonly clusterName?: string;
  /** Ingress HTTP port on every node address (default: a free one, kept in the state). */
  readonly ingressHttpPort?: number;
  /** Extra `flotilla server` arguments (e.g. shorter ticks for experiments); only at the first start. */
  readonly serverArgs?: readonly string[];
  /** Added to every component's environment (e.g. `FLOTILLA_LOG_LEVEL`). */
  readonly componentEnv?: Readonly<Record<string, string>>;
  /** The node proxy inside each agent (`agent --proxy`, default) or as its own process; first start only. */
  readonly proxyPlacement?: 'in-agent' | 'separate';
  /** Default: nats-server found on PATH or in the sbin directories. */
  readonly natsServerPath?: string;
  readonly logger?: Logger;
  /** One line per step (a component started, credentials read), for `flotilla up`'s progress. */
  readonly onProgress?: (message: string) => void;
  /** Aborts the waits inside `start` (Ctrl-C while the cluster is still coming up). */
  readonly signal?: AbortSignal;
}

export interface ComponentStatus {
  readonly name: string;
  readonly kind: ComponentKind;
  readonly state: ProcessState;
  readonly pid: number | null;
  readonly logPath: string;
  readonly listens: readonly string[];
}

export class LocalClusterError extends Error {
  override readonly name = 'LocalClusterError';
}

/** Kinds stopped together, in this order, at `down` (the reverse of the start order). */
const stopOrder: readonly (readonly ComponentKind[])[] = [['proxy', 'agent', 'api-balancer'], ['server'], ['relays'], ['nats']];

/**
 * A whole Flotilla cluster on this machine as real processes (nats-server, fault relays, 3 or 5
 * `flotilla server` replicas, the API balancer, an agent and a proxy per node), described by a state
 * file in its directory. A handle from `start` and one from `attach` (another process) are the same:
 * every operation acts on the recorded processes and the relays' control endpoint, none on
 * in-memory child objects. See README.md.
 */
export class LocalCluster {
  private constructor(readonly state: ClusterState, private readonly env: Env, private readonly logger: Logger, private readonly progress: (message: string) => void) {}

  /**
   * Creates the cluster in `directory` (first time) or brings back the one recorded there, and
   * starts every component that is not running. Resolves once all are started and the kubeconfig
   * is written (which needs a leader); `waitUntilHealthy` waits for the rest.
   */
  static async start(options: LocalClusterOptions): Promise<LocalCluster> {
    const directory = resolve(options.directory);
    await mkdir(directory, { recursive: true });
    const existing = await readClusterState(directory);
    if (existing !== null) checkSameTopology(existing, options);
    const state = existing ?? (await planNewCluster(directory, options));
    if (existing === null) await writeClusterState(state);
    const cluster = new LocalCluster(state, options.env, options.logger ?? silentLogger, options.onProgress ?? (() => undefined));
    await cluster.startAll(options.signal);
    return cluster;
  }

  /** The cluster recorded in `directory`, to act on from another process. */
  static async attach(directory: string, env: Env, logger: Logger = silentLogger): Promise<LocalCluster> {
    const state = await readClusterState(resolve(directory));
    if (state === null) throw new LocalClusterError(`no cluster in ${resolve(directory)} (no state.json): start one with flotilla up --dir ${directory}`);
    return new LocalCluster(state, env, logger, () => undefined);
  }

  get directory(): string {
    return this.state.directory;
  }

  get kubeconfigPath(): string {
    return this.state.kubeconfigPath;
  }

  /** The stable Kubernetes API address (`HOST:PORT`, HTTPS). */
  get apiEndpoint(): string {
    return this.state.apiBalancer.endpoint;
  }

  componentNames(kind?: ComponentKind): string[] {
    return this.state.components.filter((component) => kind === undefined || component.kind === kind).map((component) => component.name);
  }

  async status(): Promise<ComponentStatus[]> {
    return await Promise.all(this.state.components.map(async (component) => {
      const identity = await readIdentity(this.directory, component.name);
      const state = await processState(identity);
      return { name: component.name, kind: component.kind, state, pid: state === 'stopped' ? null : identity?.pid ?? null, logPath: component.logPath, listens: component.listens };
    }));
  }

  async componentState(name: string): Promise<ProcessState> {
    componentOf(this.state, name);
    return await processState(await readIdentity(this.directory, name));
  }

  /** Starts a stopped component with its recorded command line (a running one is left alone). */
  async startComponent(name: string): Promise<void> {
    await this.launch(componentOf(this.state, name));
  }

  /** SIGTERM (SIGKILL after the grace): the clean stop an operator does. */
  async stopComponent(name: string): Promise<void> {
    componentOf(this.state, name);
    const identity = await readIdentity(this.directory, name);
    if (identity !== null) await terminateProcess(this.env, identity);
  }

  /** kill -9: a crash. */
  async killComponent(name: string): Promise<void> {
    componentOf(this.state, name);
    const identity = await readIdentity(this.directory, name);
    if (identity !== null) await killProcess(this.env, identity);
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing (a hung machine). */
  async pauseComponent(name: string): Promise<void> {
    await this.sendSignal(name, 'SIGSTOP');
  }

  /** SIGCONT after a pause. */
  async resumeComponent(name: string): Promise<void> {
    await this.sendSignal(name, 'SIGCONT');
  }

  /** Stop (or kill -9, with `crash`) then start again with the same command line and data. */
  async restartComponent(name: string, options: { readonly crash?: boolean } = {}): Promise<void> {
    if (options.crash === true) await this.killComponent(name);
    else await this.stopComponent(name);
    await this.startComponent(name);
  }

  /** Cuts every replica link between the groups (replicas in no group keep theirs). */
  async partition(groups: readonly (readonly string[])[]): Promise<void> {
    for (const name of groups.flat()) if (!this.state.servers.some((server) => server.name === name)) throw new LocalClusterError(`no replica named "${name}"`);
    await setLinkFaults(this.env, this.state.relays.controlEndpoint, partitionFaults(this.state.relays.links, groups));
  }

  /** One directed replica link (`from` → `to`): blackhole, reset, delay or pass. */
  async setLinkFault(from: string, to: string, fault: RelayFault): Promise<void> {
    await setLinkFaults(this.env, this.state.relays.controlEndpoint, [{ from, to, fault }]);
  }

  async heal(): Promise<void> {
    await setLinkFaults(this.env, this.state.relays.controlEndpoint, healFaults(this.state.relays.links));
  }

  async linkFaults(): Promise<LinkFault[]> {
    return await listLinkFaults(this.env, this.state.relays.controlEndpoint);
  }

  /** Which replicas the stable address sends to, and its open connections per replica. */
  async balancerStatus(): Promise<ApiBalancerStatus> {
    return await readApiBalancerStatus(this.env, this.state.apiBalancer.controlEndpoint);
  }

  async credentials(): Promise<ApiCredentials | null> {
    return await readApiCredentials(this.state);
  }

  async health(): Promise<ClusterHealth> {
    return await observeHealth(this.env, this.state, await this.credentials());
  }

  /**
   * Waits for a leader all replicas agree on, every replica's API, the stable address and every node
   * Ready. `onChange` sees each new observation that differs from the last (for progress output).
   */
  async waitUntilHealthy(options: { readonly timeoutMs?: number; readonly signal?: AbortSignal; readonly onChange?: (health: ClusterHealth) => void } = {}): Promise<ClusterHealth> {
    const deadline = this.env.clock.nowMs() + (options.timeoutMs ?? LocalClusterLimits.healthyWaitMs);
    let last = '';
    for (;;) {
      const health = await this.health();
      const summary = JSON.stringify(health);
      if (summary !== last) options.onChange?.(health);
      last = summary;
      if (isHealthy(this.state, health)) return health;
      if (options.signal?.aborted === true) throw new LocalClusterError('stopped while waiting for the cluster');
      if (this.env.clock.nowMs() >= deadline) throw new LocalClusterError(`the cluster was not healthy in time: ${await this.describeUnhealthy(health)}`);
      await sleep(this.env.timers, LocalClusterLimits.healthPollMs, options.signal);
    }
  }

  /**
   * Stops everything, last started first: proxies, agents and the balancer, then the containers the
   * agents left (so no process is left), the replicas, the relays, NATS. Data stays: `start` on
   * the same directory brings the same cluster back.
   */
  async down(): Promise<void> {
    for (const kinds of stopOrder) {
      const components = this.state.components.filter((component) => kinds.includes(component.kind));
      await Promise.all(components.map(async (component) => {
        await this.stopComponent(component.name);
        await removeIdentity(this.directory, component.name);
      }));
      if (kinds.includes('agent')) {
        await Promise.all(this.state.nodes.map(async (node) => {
          const stopped = await stopLeftContainers(this.env, node.dataDir, this.logger.child({ node: node.name }));
          if (stopped > 0) this.progress(`stopped ${stopped} container(s) on ${node.name}`);
        }));
      }
    }
  }

  private async sendSignal(name: string, signal: NodeJS.Signals): Promise<void> {
    componentOf(this.state, name);
    const identity = await readIdentity(this.directory, name);
    if (identity === null || !(await signalProcess(identity, signal))) throw new LocalClusterError(`${name} is not running`);
  }

  private async startAll(signal: AbortSignal | undefined): Promise<void> {
    const [beforeProxies, proxies] = [this.state.components.filter((component) => component.kind !== 'proxy'), this.state.components.filter((component) => component.kind === 'proxy')];
    for (const component of beforeProxies) {
      if (signal?.aborted === true) throw new LocalClusterError('stopped while starting the cluster');
      await this.launch(component);
      // The replicas connect to NATS at start; let it listen first so their first attempt works.
      if (component.kind === 'nats') await this.waitForNats(component);
    }
    const credentials = await this.waitForCredentials(signal);
    await writeLocalKubeconfig(this.state, credentials);
    this.progress(`kubeconfig written: ${this.state.kubeconfigPath}`);
    for (const component of proxies) await this.launch(component);
  }

  private async launch(component: ComponentSpec): Promise<void> {
    if ((await this.componentState(component.name)) !== 'stopped') {
      this.progress(`${component.name} already running`);
      return;
    }
    for (const endpoint of component.listens) {
      if (!(await isEndpointFree(endpoint))) throw new LocalClusterError(`${component.name} cannot start: ${endpoint} is taken by another program (free it, or use another --dir)`);
    }
    const identity = await launchComponent(this.directory, component);
    this.logger.info({ component: component.name, pid: identity.pid }, 'component started');
    this.progress(`started ${component.name} (pid ${identity.pid}, log ${component.logPath})`);
  }

  private async waitForNats(component: ComponentSpec): Promise<void> {
    const endpoint = component.listens[0];
    if (endpoint === undefined) return;
    if (!(await waitForListener(this.env, endpoint, LocalClusterLimits.natsStartMs))) {
      throw new LocalClusterError(`${component.name} did not listen on ${endpoint} within ${LocalClusterLimits.natsStartMs} ms; see ${component.logPath}`);
    }
  }

  /** The replicas write the CA and token once a leader bootstrapped the API: the first sign of a working cluster. */
  private async waitForCredentials(signal: AbortSignal | undefined): Promise<ApiCredentials> {
    const deadline = this.env.clock.nowMs() + LocalClusterLimits.credentialsWaitMs;
    for (;;) {
      const credentials = await this.credentials();
      if (credentials !== null) return credentials;
      if (signal?.aborted === true) throw new LocalClusterError('stopped while waiting for the API credentials');
      if (this.env.clock.nowMs() >= deadline) {
        throw new LocalClusterError(`no replica wrote the API credentials within ${LocalClusterLimits.credentialsWaitMs} ms (no leader?); see ${this.directory}/logs/n1.log`);
      }
      await sleep(this.env.timers, LocalClusterLimits.healthPollMs, signal);
    }
  }

  private async describeUnhealthy(health: ClusterHealth): Promise<string> {
    const stopped = (await this.status()).filter((component) => component.state !== 'running').map((component) => `${component.name} ${component.state}`);
    const waiting = [
      ...(health.leader === null ? ['no leader agreed on'] : []),
      ...this.state.servers.filter((server) => !health.apiReady.includes(server.name)).map((server) => `API of ${server.name} not ready`),
      ...(health.balancerReady ? [] : [`the stable address ${this.apiEndpoint} does not answer`]),
      ...this.state.nodes.filter((node) => !health.nodesReady.includes(node.name)).map((node) => `${node.name} not Ready`),
    ];
    return [...waiting, ...stopped].join('; ') + ` (logs in ${this.directory}/logs)`;
  }
}

async function planNewCluster(directory: string, options: LocalClusterOptions): Promise<ClusterState> {
  const natsServerPath = options.natsServerPath ?? (await findExecutable('nats-server'));
  if (natsServerPath === null) throw new LocalClusterError('nats-server is not installed (Debian: apt-get install -y nats-server)');
  const agentCount = options.agents ?? 2;
  if (!Number.isInteger(agentCount) || agentCount < 1 || agentCount > LocalClusterLimits.agentsMax) {
    throw new LocalClusterError(`agents must be a whole number from 1 to ${LocalClusterLimits.agentsMax}, got ${agentCount}`);
  }
  const shape = { serverCount: options.servers ?? 3, natsCount: options.natsServers ?? 1 } as const;
  const { ports, ingressHttpPort } = await assignPorts(portsNeeded(shape));
  return planCluster({
    directory,
    ...shape,
    agentCount,
    clusterName: options.clusterName ?? 'flotilla',
    natsServerPath,
    nodePath: process.execPath,
    flotillaBin,
    ingressHttpPort: options.ingressHttpPort ?? ingressHttpPort,
    serverArgs: options.serverArgs ?? [],
    env: options.componentEnv ?? {},
    searchPath: process.env['PATH'] ?? '/usr/bin:/bin',
    ...(options.proxyPlacement === undefined ? {} : { proxyPlacement: options.proxyPlacement }),
  }, ports);
}

/** The number of replicas is fixed by Raft's membership at the first start; asking for another is a mistake to name. */
function checkSameTopology(state: ClusterState, options: LocalClusterOptions): void {
  const problems: string[] = [];
  if (options.servers !== undefined && options.servers !== state.servers.length) problems.push(`${state.servers.length} servers (asked: ${options.servers})`);
  if (options.agents !== undefined && options.agents !== state.nodes.length) problems.push(`${state.nodes.length} agents (asked: ${options.agents})`);
  if (options.natsServers !== undefined && options.natsServers !== state.natsUrls.length) problems.push(`${state.natsUrls.length} NATS servers (asked: ${options.natsServers})`);
  if (options.ingressHttpPort !== undefined && state.nodes.some((node) => node.ingressHttpPort !== options.ingressHttpPort)) problems.push(`ingress port ${state.nodes[0]?.ingressHttpPort} (asked: ${options.ingressHttpPort})`);
  if (problems.length > 0) {
    throw new LocalClusterError(`${state.directory} holds a cluster with ${problems.join(', ')}; leave the flags out to use it as it is, or pick another --dir for a new one`);
  }
}
