import { ApiBalancerLimits } from './limits.ts';

/**
 * Pure: whether one replica should get new connections, from its consecutive probe outcomes. A
 * replica starts unhealthy-but-unknown (`probed` false): until the first probe the balancer tries
 * it anyway, so the address works from the first second.
 */
export class ReplicaHealth {
  private consecutiveFailures = 0;
  private consecutiveSuccesses = 0;
  private healthyNow = false;
  private probedOnce = false;
  lastError: string | null = null;

  constructor(
    readonly endpoint: string,
    private readonly unhealthyAfterFailures: number = ApiBalancerLimits.unhealthyAfterFailures,
    private readonly healthyAfterSuccesses: number = ApiBalancerLimits.healthyAfterSuccesses,
  ) {}

  get healthy(): boolean {
    return this.healthyNow;
  }

  get probed(): boolean {
    return this.probedOnce;
  }

  /** Records one probe; true when the verdict changed. */
  record(outcome: { ok: true } | { ok: false; error: string }): boolean {
    const before = this.healthyNow;
    this.probedOnce = true;
    if (outcome.ok) {
      this.consecutiveFailures = 0;
      this.consecutiveSuccesses++;
      this.lastError = null;
      if (this.consecutiveSuccesses >= this.healthyAfterSuccesses) this.healthyNow = true;
    } else {
      this.consecutiveSuccesses = 0;
      this.consecutiveFailures++;
      this.lastError = outcome.error;
      if (this.consecutiveFailures >= this.unhealthyAfterFailures) this.healthyNow = false;
    }
    return before !== this.healthyNow;
  }
}

/**
 * The replicas to offer new connections: the healthy ones; before any verdict, or when none is
 * healthy, all of them (refusing every client helps nobody, and a failed connect moves on anyway).
 */
export function eligibleReplicas(replicas: readonly ReplicaHealth[]): ReplicaHealth[] {
  const healthy = replicas.filter((replica) => replica.healthy);
  return healthy.length > 0 ? healthy : [...replicas];
}
