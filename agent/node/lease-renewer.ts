import type { Env, Logger, TimerHandle } from '../../common/index.ts';
import type { ControlPlaneClient } from '../sync/control-plane-client.ts';

export const LeaseDefaults = {
  /** The node controller's homelab timings assume a renewal every second (control-plane/controllers/README.md). */
  renewIntervalMs: 1_000,
  /** kubelet's default node lease duration. */
  leaseDurationSeconds: 40,
  /**
   * A renewal that takes longer is abandoned and the next one tried. A renewal is one Raft write
   * (milliseconds); a longer wait is a request lost on a NATS route to a dead server, and the node
   * controller's 4 s grace leaves room for several tries only if each gives up quickly.
   */
  renewTimeoutMs: 800,
  /** Consecutive failures before it is logged as a warning (then once per this many). */
  failuresPerWarning: 5,
  /**
   * Consecutive failures after which the agent asks its NATS client to reconnect (to another
   * server): a server whose own links died can keep an agent's connection looking healthy while
   * its requests go nowhere, long enough for the node to be declared unreachable.
   */
  failuresBeforeReconnect: 2,
} as const;

/** Kubernetes' MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000Z');
}

/**
 * The node heartbeat: renews the node's Lease every second, one renewal in flight at a time.
 * After renewals start working again (NATS or the control plane was away), `onRecovered` runs,
 * so the agent re-reports its node status at once (the node controller marked it Unknown).
 */
export class LeaseRenewer {
  private timer: TimerHandle | undefined;
  private inFlight = false;
  private failures = 0;
  private readonly abort = new AbortController();
  renewals = 0;

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly env: Env,
    private readonly logger: Logger,
    private readonly onRecovered: () => void,
    /** Asked to move to another NATS server after repeated failures (returns at once). */
    private readonly onStuck: () => void = () => undefined,
  ) {}

  start(): void {
    this.timer = this.env.timers.setInterval(() => void this.renew(), LeaseDefaults.renewIntervalMs);
    void this.renew();
  }

  stop(): void {
    this.timer?.cancel();
    this.abort.abort();
  }

  private async renew(): Promise<void> {
    if (this.inFlight || this.abort.signal.aborted) return;
    this.inFlight = true;
    try {
      await this.client.renewLease(microTime(this.env.clock.nowMs()), LeaseDefaults.leaseDurationSeconds, this.abort.signal, LeaseDefaults.renewTimeoutMs);
      this.renewals++;
      if (this.failures > 0) {
        this.logger.info({ failures: this.failures }, 'node lease renewals work again');
        this.failures = 0;
        this.onRecovered();
      }
    } catch (error) {
      if (this.abort.signal.aborted) return;
      this.failures++;
      if (this.failures % LeaseDefaults.failuresPerWarning === 0) this.logger.warn({ err: error, failures: this.failures }, 'node lease not renewed');
      if (this.failures % LeaseDefaults.failuresBeforeReconnect === 0) this.onStuck();
    } finally {
      this.inFlight = false;
    }
  }
}
