import type { Env, Logger, TimerHandle } from '../common/index.ts';
import { ClusterWrites } from './cluster-writes.ts';
import { collectEndpoints } from './core/collect-endpoints.ts';
import { computeProxyTable } from './core/compute-proxy-table.ts';
import { defaultProxyPortRange, type PortRange } from './core/proxy-port-plan.ts';
import type { ListenMode, ProxyTable } from './core/proxy-table.ts';
import { DnsServer } from './dns/dns-server.ts';
import { DnsZone } from './dns/dns-zone.ts';
import { CertificateStore } from './ingress/certificate-store.ts';
import { computeIngressRoutes, type IngressRouteTable } from './ingress/ingress-routes.ts';
import { IngressServer } from './ingress/ingress-server.ts';
import { computeCertificates } from './ingress/ingress-tls.ts';
import { ProxyLimits } from './limits.ts';
import { parseIngress, type IngressView } from './model/ingress-view.ts';
import { parseService, type ServiceView } from './model/service-view.ts';
import type { ClusterIpAddresses } from './runtime/cluster-ip-addresses.ts';
import { ListenerManager } from './runtime/listener-manager.ts';
import type { ClusterSource } from './source/cluster-source.ts';
import { ClusterState, objectKey } from './source/cluster-state.ts';

export interface ProxyNodeOptions {
  readonly env: Env;
  readonly logger: Logger;
  readonly source: ClusterSource;
  readonly nodeName: string;
  /** The node's address: LoadBalancer listeners and status.loadBalancer.ingress. */
  readonly nodeAddress: string;
  /** Where NodePorts, proxy ports, the ingress and DNS listen (the node address, or 0.0.0.0). */
  readonly listenAddress: string;
  readonly mode: ListenMode;
  /** Root mode: the cluster IP plumbing (already prepared). */
  readonly clusterAddresses?: ClusterIpAddresses;
  /** null turns a listener off; 0 takes a free port (tests). */
  readonly httpPort: number | null;
  readonly httpsPort: number | null;
  readonly dnsPort: number | null;
  readonly clusterDomain?: string;
  readonly proxyPortRange?: PortRange;
  /** Tuning for tests (defaults in ProxyLimits / IngressLimits). */
  readonly connectTimeoutMs?: number;
  readonly failedEndpointCooldownMs?: number;
  readonly udpFlowIdleMs?: number;
  readonly backendResponseTimeoutMs?: number;
  readonly drainMs?: number;
}

const emptyRoutes: IngressRouteTable = { byHost: new Map(), defaultBackend: null, ingresses: [] };

/**
 * One node's proxy: the cluster state from a source, recomputed (coalesced) into the proxy table,
 * the DNS zone, the ingress routes and certificates, applied to the listeners; plus the writes it
 * owes the cluster (proxy ports, load-balancer status). Nothing is programmed until every kind the
 * source delivers has been listed once, so a half-known cluster never resets connections.
 */
export class ProxyNode {
  private readonly state: ClusterState;
  private readonly listeners: ListenerManager;
  private readonly certificates: CertificateStore;
  private readonly ingress: IngressServer;
  private readonly dns: DnsServer | null;
  private readonly writes: ClusterWrites | null;
  private readonly abort = new AbortController();
  private zone: DnsZone;
  private routes: IngressRouteTable = emptyRoutes;
  private recomputeTimer: TimerHandle | null = null;
  private housekeepingTimer: TimerHandle | null = null;
  private sourceRun: Promise<void> = Promise.resolve();
  private firstApply: { promise: Promise<void>; resolve: () => void };
  private loggedProblems = new Set<string>();
  table: ProxyTable | null = null;

  constructor(private readonly options: ProxyNodeOptions) {
    const logger = options.logger;
    this.state = new ClusterState(() => this.scheduleRecompute(), (kind) => logger.error({ kind }, 'too many objects; some are ignored'));
    this.listeners = new ListenerManager({
      env: options.env, logger,
      ...(options.clusterAddresses === undefined ? {} : { clusterAddresses: options.clusterAddresses }),
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.failedEndpointCooldownMs === undefined ? {} : { failedEndpointCooldownMs: options.failedEndpointCooldownMs }),
      ...(options.udpFlowIdleMs === undefined ? {} : { udpFlowIdleMs: options.udpFlowIdleMs }),
    });
    this.certificates = new CertificateStore(logger);
    this.ingress = new IngressServer({
      env: options.env, logger, host: options.listenAddress, httpPort: options.httpPort, httpsPort: options.httpsPort,
      routes: () => this.routes, pickerFor: (key) => this.listeners.pickerFor(key), registry: this.listeners.registry, certificates: this.certificates,
      ...(options.backendResponseTimeoutMs === undefined ? {} : { responseTimeoutMs: options.backendResponseTimeoutMs }),
    });
    this.zone = new DnsZone({ services: [], endpoints: new Map(), ...(options.clusterDomain === undefined ? {} : { clusterDomain: options.clusterDomain }) });
    this.dns = options.dnsPort === null ? null : new DnsServer({ host: options.listenAddress, port: options.dnsPort, logger, zone: () => this.zone });
    this.writes = options.source.writer === null ? null : new ClusterWrites(options.source.writer, logger);
    let resolve = (): void => {};
    const promise = new Promise<void>((done) => (resolve = done));
    this.firstApply = { promise, resolve };
  }

  get httpPort(): number {
    return this.ingress.httpPort;
  }

  get httpsPort(): number {
    return this.ingress.httpsPort;
  }

  get dnsPort(): number {
    return this.dns?.port ?? 0;
  }

  get boundListeners(): string[] {
    return this.listeners.boundKeys;
  }

  /** Binds the ingress and DNS listeners and starts watching; resolves once they are bound. */
  async start(): Promise<void> {
    await this.ingress.start();
    await this.dns?.start();
    this.sourceRun = this.options.source.run(this.state, this.abort.signal).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'the cluster source stopped');
    });
    this.housekeepingTimer = this.options.env.timers.setInterval(() => void this.housekeeping(), ProxyLimits.housekeepingIntervalMs);
    this.options.logger.info({ node: this.options.nodeName, mode: this.options.mode, source: this.options.source.description, http: this.httpPort, https: this.httpsPort, dns: this.dnsPort }, 'proxy started');
  }

  /** Resolves after the first table (every kind listed once) has been applied. */
  whenProgrammed(): Promise<void> {
    return this.firstApply.promise;
  }

  /** Applies the current state now (tests call this instead of waiting for the coalescing delay). */
  async recompute(): Promise<void> {
    this.recomputeTimer?.cancel();
    this.recomputeTimer = null;
    if (!this.state.isSynced(this.options.source.kinds)) return;
    const services = this.state.list('services').map(parseService).filter((service): service is ServiceView => service !== null);
    const endpoints = collectEndpoints(this.state.list('endpointslices'), this.state.list('endpoints'));
    const table = computeProxyTable({ services, endpoints, node: { nodeAddress: this.options.nodeAddress, listenAddress: this.options.listenAddress }, mode: this.options.mode });
    this.table = table;
    this.zone = new DnsZone({ services, endpoints, ...(this.options.clusterDomain === undefined ? {} : { clusterDomain: this.options.clusterDomain }) });
    const servicesByKey = new Map(services.map((service) => [service.key, service]));
    const ingresses = this.state.list('ingresses').map(parseIngress).filter((ingress): ingress is IngressView => ingress !== null);
    this.routes = computeIngressRoutes(ingresses, servicesByKey);
    const tls = computeCertificates(this.routes.ingresses, new Map(this.state.list('secrets').map((secret) => [objectKey(secret), secret])));
    this.certificates.update(tls.certificates);
    this.logProblems([...table.problems.map((problem) => `${problem.serviceKey}: ${problem.message}`), ...tls.problems.map((problem) => `${problem.ingressKey}: ${problem.message}`)]);
    await this.listeners.apply(table);
    this.ingress.retainBackends(new Set([...table.targets.values()].flatMap((target) => target.backends.map((backend) => backend.key))));
    this.writes?.plan({
      services, serviceObjects: new Map(this.state.list('services').map((object) => [objectKey(object), object])),
      ingresses: this.routes.ingresses, ingressObjects: new Map(this.state.list('ingresses').map((object) => [objectKey(object), object])),
      nodeAddress: this.options.nodeAddress, proxyPortRange: this.options.proxyPortRange ?? defaultProxyPortRange,
    });
    this.firstApply.resolve();
  }

  /** SIGTERM: stop watching, stop accepting, let in-flight work drain (bounded), then cut the rest. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.recomputeTimer?.cancel();
    this.housekeepingTimer?.cancel();
    await this.sourceRun;
    const drainMs = this.options.drainMs ?? ProxyLimits.shutdownDrainMs;
    // Stop accepting everywhere first; the ingress's close resolves only once its clients are gone.
    const ingressClosed = this.ingress.close();
    await this.dns?.stop();
    // In-flight connections and requests (all counted in the registry) get the drain period...
    await this.listeners.close(drainMs);
    // ...then whatever is left is cut.
    this.ingress.closeAllConnections();
    await ingressClosed;
    await this.options.clusterAddresses?.cleanup();
    this.firstApply.resolve();
  }

  private scheduleRecompute(): void {
    if (this.recomputeTimer !== null || this.abort.signal.aborted) return;
    this.recomputeTimer = this.options.env.timers.setTimeout(() => {
      this.recompute().catch((error: unknown) => this.options.logger.error({ err: error }, 'recomputing the proxy table failed'));
    }, ProxyLimits.recomputeDelayMs);
  }

  private async housekeeping(): Promise<void> {
    await this.listeners.housekeeping();
    if (this.writes?.retryWanted === true) {
      this.writes.retryWanted = false;
      this.scheduleRecompute();
    }
  }

  private logProblems(problems: readonly string[]): void {
    const next = new Set(problems);
    for (const problem of next) if (!this.loggedProblems.has(problem)) this.options.logger.warn({ problem }, 'proxy table problem');
    this.loggedProblems = next;
  }
}

