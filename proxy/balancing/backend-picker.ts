import type { Clock } from '../../common/index.ts';
import type { BackendSpec, ServicePortTarget } from '../core/proxy-table.ts';
import { ProxyLimits } from '../limits.ts';
import type { ActiveCounts, Balancer } from './balancer.ts';
import { ClientIpAffinity } from './client-ip-affinity.ts';
import { LeastConnectionsBalancer } from './least-connections.ts';
import { RoundRobinBalancer } from './round-robin.ts';

export interface PickerOptions {
  readonly clock: Clock;
  readonly counts: ActiveCounts;
  readonly failedEndpointCooldownMs?: number;
  readonly affinityEntriesMax?: number;
}

/**
 * Chooses the backend for one new connection (or request) of one service port: the client's
 * affinity binding if it has one and that backend is still ready, else the balancer's pick.
 * Backends whose connect just failed sit out a short cooldown (passive health), so traffic leaves a
 * dead endpoint at once instead of waiting for the control plane to mark it not ready; if every
 * backend is cooling down they are all tried again rather than refusing the client.
 */
export class BackendPicker {
  private target: ServicePortTarget;
  private balancer: Balancer;
  private affinity: ClientIpAffinity | null;
  private readonly cooldownUntilMs = new Map<string, number>();
  private readonly cooldownMs: number;

  constructor(target: ServicePortTarget, private readonly options: PickerOptions) {
    this.target = target;
    this.cooldownMs = options.failedEndpointCooldownMs ?? ProxyLimits.failedEndpointCooldownMs;
    this.balancer = this.balancerFor(target);
    this.affinity = this.affinityFor(target);
  }

  get backends(): readonly BackendSpec[] {
    return this.target.backends;
  }

  get current(): ServicePortTarget {
    return this.target;
  }

  /** A new table: balancer state is kept unless the policy changed. */
  update(target: ServicePortTarget): void {
    const previous = this.target;
    this.target = target;
    if (previous.balancing !== target.balancing) this.balancer = this.balancerFor(target);
    if (target.affinity.kind === 'None') this.affinity = null;
    else if (this.affinity === null) this.affinity = this.affinityFor(target);
    else this.affinity.setTimeoutSeconds(target.affinity.timeoutSeconds);
    const live = new Set(target.backends.map((backend) => backend.key));
    for (const key of this.cooldownUntilMs.keys()) if (!live.has(key)) this.cooldownUntilMs.delete(key);
  }

  /** The backend for a client, excluding those already tried for this connection; null when none is left. */
  pick(clientAddress: string, tried: ReadonlySet<string>): BackendSpec | null {
    const backends = this.target.backends;
    if (backends.length === 0) return null;
    const bound = this.affinity?.lookup(clientAddress) ?? null;
    if (bound !== null && !tried.has(bound) && !this.coolingDown(bound)) {
      const backend = backends.find((candidate) => candidate.key === bound);
      if (backend !== undefined) return backend;
    }
    const healthy = this.balancer.pick(backends, (backend) => !tried.has(backend.key) && !this.coolingDown(backend.key));
    return healthy ?? this.balancer.pick(backends, (backend) => !tried.has(backend.key));
  }

  onConnected(clientAddress: string, backend: BackendSpec): void {
    this.cooldownUntilMs.delete(backend.key);
    this.affinity?.record(clientAddress, backend.key);
  }

  onConnectFailed(clientAddress: string, backend: BackendSpec): void {
    this.cooldownUntilMs.set(backend.key, this.options.clock.nowMs() + this.cooldownMs);
    if (this.affinity?.lookup(clientAddress) === backend.key) this.affinity.forget(clientAddress);
  }

  housekeeping(): void {
    this.affinity?.pruneExpired();
    const now = this.options.clock.nowMs();
    for (const [key, until] of this.cooldownUntilMs) if (until <= now) this.cooldownUntilMs.delete(key);
  }

  private coolingDown(key: string): boolean {
    const until = this.cooldownUntilMs.get(key);
    return until !== undefined && until > this.options.clock.nowMs();
  }

  private balancerFor(target: ServicePortTarget): Balancer {
    return target.balancing === 'least-connections' ? new LeastConnectionsBalancer(this.options.counts) : new RoundRobinBalancer();
  }

  private affinityFor(target: ServicePortTarget): ClientIpAffinity | null {
    if (target.affinity.kind === 'None') return null;
    return new ClientIpAffinity(this.options.clock, target.affinity.timeoutSeconds * 1000, this.options.affinityEntriesMax ?? ProxyLimits.affinityEntriesMax);
  }
}
