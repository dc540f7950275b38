import { sleep, type Env, type Logger } from '../../common/index.ts';
import { BackendPicker } from '../balancing/backend-picker.ts';
import type { ListenerSpec, ProxyTable } from '../core/proxy-table.ts';
import { ProxyLimits } from '../limits.ts';
import type { ClusterIpAddresses } from './cluster-ip-addresses.ts';
import { ConnectionRegistry } from './connection-registry.ts';
import { TcpListener } from './tcp-listener.ts';
import { UdpListener } from './udp-listener.ts';

type Listener = TcpListener | UdpListener;

export interface ListenerManagerOptions {
  readonly env: Env;
  readonly logger: Logger;
  /** Root mode only: where cluster IPs are added before their listeners bind. */
  readonly clusterAddresses?: ClusterIpAddresses;
  readonly connectAttemptsMax?: number;
  readonly connectTimeoutMs?: number;
  readonly failedEndpointCooldownMs?: number;
  readonly udpFlowIdleMs?: number;
  readonly bindRetryIntervalMs?: number;
}

export interface ListenerFailure {
  readonly key: string;
  readonly message: string;
  readonly retryAtMs: number;
}

/**
 * Makes the running listeners match a ProxyTable: new ones are bound, changed targets are swapped in
 * place (the socket stays, so no connection is refused during an update), removed ones stop
 * accepting while their connections drain. A bind that fails (port in use, address not yet on
 * the node) is logged and retried every `bindRetryIntervalMs`. One picker per service port target
 * keeps balancer and affinity state across tables; the ingress uses the same pickers.
 */
export class ListenerManager {
  readonly registry = new ConnectionRegistry();
  private readonly listeners = new Map<string, Listener>();
  private readonly pickers = new Map<string, BackendPicker>();
  private readonly failures = new Map<string, ListenerFailure>();
  private table: ProxyTable | null = null;
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly options: ListenerManagerOptions) {}

  pickerFor(targetKey: string): BackendPicker | undefined {
    return this.pickers.get(targetKey);
  }

  get boundKeys(): string[] {
    return [...this.listeners.keys()].sort();
  }

  get failedListeners(): ListenerFailure[] {
    return [...this.failures.values()];
  }

  /** Applies a table; calls are serialized, so the last table wins. */
  apply(table: ProxyTable): Promise<void> {
    this.table = table;
    this.applying = this.applying.then(() => this.reconcile(table)).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'applying the proxy table failed');
    });
    return this.applying;
  }

  /** Retries failed binds whose time has come, closes idle UDP flows, prunes affinity. */
  housekeeping(): Promise<void> {
    for (const picker of this.pickers.values()) picker.housekeeping();
    for (const listener of this.listeners.values()) if (listener instanceof UdpListener) listener.housekeeping();
    const now = this.options.env.clock.nowMs();
    const due = [...this.failures.values()].some((failure) => failure.retryAtMs <= now);
    return due && this.table !== null ? this.apply(this.table) : Promise.resolve();
  }

  private async reconcile(table: ProxyTable): Promise<void> {
    if (table !== this.table) return; // a newer one is queued
    this.updatePickers(table);
    const wanted = new Map(table.listeners.map((spec) => [spec.key, spec]));
    for (const [key, listener] of this.listeners) {
      if (wanted.has(key)) continue;
      this.listeners.delete(key);
      await listener.close();
    }
    for (const key of this.failures.keys()) if (!wanted.has(key)) this.failures.delete(key);
    if (this.options.clusterAddresses !== undefined) {
      const problems = await this.options.clusterAddresses.sync(table.clusterAddresses);
      for (const problem of problems) this.options.logger.warn({ problem }, 'could not add a cluster IP');
    }
    const now = this.options.env.clock.nowMs();
    for (const spec of wanted.values()) {
      const running = this.listeners.get(spec.key);
      if (running !== undefined) {
        running.update(spec);
        continue;
      }
      const failure = this.failures.get(spec.key);
      if (failure !== undefined && failure.retryAtMs > now) continue;
      await this.bind(spec);
    }
    for (const key of this.pickers.keys()) if (!table.targets.has(key)) this.pickers.delete(key);
  }

  private updatePickers(table: ProxyTable): void {
    for (const [key, target] of table.targets) {
      const picker = this.pickers.get(key);
      if (picker !== undefined) picker.update(target);
      else {
        this.pickers.set(key, new BackendPicker(target, {
          clock: this.options.env.clock,
          counts: this.registry,
          ...(this.options.failedEndpointCooldownMs === undefined ? {} : { failedEndpointCooldownMs: this.options.failedEndpointCooldownMs }),
        }));
      }
    }
  }

  private async bind(spec: ListenerSpec): Promise<void> {
    const deps = {
      env: this.options.env,
      logger: this.options.logger,
      registry: this.registry,
      pickerFor: (key: string) => this.pickers.get(key),
      ...(this.options.connectAttemptsMax === undefined ? {} : { connectAttemptsMax: this.options.connectAttemptsMax }),
      ...(this.options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: this.options.connectTimeoutMs }),
      ...(this.options.udpFlowIdleMs === undefined ? {} : { flowIdleMs: this.options.udpFlowIdleMs }),
    };
    const listener: Listener = spec.protocol === 'UDP' ? new UdpListener(spec, deps) : new TcpListener(spec, deps);
    try {
      await listener.start();
      this.listeners.set(spec.key, listener);
      if (this.failures.delete(spec.key)) this.options.logger.info({ listener: spec.key }, 'listener bound after retry');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryAtMs = this.options.env.clock.nowMs() + (this.options.bindRetryIntervalMs ?? ProxyLimits.bindRetryIntervalMs);
      if (!this.failures.has(spec.key)) this.options.logger.warn({ listener: spec.key, service: spec.target.serviceKey, error: message }, 'could not listen; will retry');
      this.failures.set(spec.key, { key: spec.key, message, retryAtMs });
    }
  }

  /** Stops accepting everywhere, lets open connections finish for up to `drainMs`, then cuts the rest. */
  async close(drainMs: number = ProxyLimits.shutdownDrainMs): Promise<void> {
    this.table = null;
    await this.applying;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(listeners.map((listener) => listener.close()));
    const drained = new AbortController();
    await this.registry.whenIdle(sleep(this.options.env.timers, drainMs, drained.signal));
    drained.abort();
    this.registry.destroyAll();
  }
}
