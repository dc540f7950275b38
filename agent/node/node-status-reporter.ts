import type { Env, Logger, TimerHandle } from '../../common/index.ts';
import { sleep } from '../wait.ts';
import { isControlPlaneError, type ControlPlaneClient } from '../sync/control-plane-client.ts';
import { readHostFacts, type HostFacts } from './host-facts.ts';
import { computeNodeConditions, conditionsChanged, type NodeCondition } from './node-conditions.ts';
import { buildNodeObject, buildNodeStatus, type NodeIdentity } from './node-object.ts';

export const NodeStatusDefaults = {
  /** kubelet's nodeStatusReportFrequency is 5 min with leases; a homelab wants conditions sooner. */
  reportIntervalMs: 10_000,
  /** How often the host is looked at for condition changes (reported at once when they change). */
  checkIntervalMs: 2_000,
  /** Pause between registration attempts while the control plane does not answer. */
  registerRetryMs: 1_000,
} as const;

export interface NodeStatusReporterOptions {
  readonly identity: NodeIdentity;
  readonly dataDirectory: string;
  readonly client: ControlPlaneClient;
  readonly env: Env;
  readonly logger: Logger;
  /** Why pods cannot run here, or null (Ready). */
  readonly runtimeProblem: () => string | null;
}

/**
 * Registers the Node, then keeps its status current: conditions (Ready, Memory/Disk/PID pressure)
 * whenever they change and every `reportIntervalMs` anyway, capacity and node info. A status
 * report answered 404 (the Node was deleted) registers the node again.
 */
export class NodeStatusReporter {
  private conditions: NodeCondition[] = [];
  private facts: HostFacts | undefined;
  private lastReportMs = 0;
  private timer: TimerHandle | undefined;
  private busy = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: NodeStatusReporterOptions) {}

  /** Registers (retrying until it works or the agent stops). */
  async register(): Promise<void> {
    for (let attempt = 1; !this.abort.signal.aborted; attempt++) {
      try {
        await this.refresh();
        const result = await this.options.client.registerNode(buildNodeObject(this.options.identity, this.currentFacts(), this.conditions), this.abort.signal);
        this.lastReportMs = this.options.env.clock.nowMs();
        this.options.logger.info({ node: this.options.identity.nodeName, created: result.created }, result.created ? 'node registered' : 'node already registered; status updated');
        return;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (attempt === 1 || attempt % 10 === 0) this.options.logger.warn({ err: error, attempt }, 'node registration failed; retrying');
        await sleep(this.options.env.timers, NodeStatusDefaults.registerRetryMs, this.abort.signal).catch(() => undefined);
      }
    }
  }

  start(): void {
    this.timer = this.options.env.timers.setInterval(() => void this.check(false), NodeStatusDefaults.checkIntervalMs);
  }

  /** Reports now (after a reconnect: the node controller may have marked the node Unknown meanwhile). */
  reportNow(): void {
    void this.check(true);
  }

  stop(): void {
    this.timer?.cancel();
    this.abort.abort();
  }

  private async check(force: boolean): Promise<void> {
    if (this.busy || this.abort.signal.aborted) return;
    this.busy = true;
    try {
      const changed = await this.refresh();
      const due = this.options.env.clock.nowMs() - this.lastReportMs >= NodeStatusDefaults.reportIntervalMs;
      if (changed || due || force) await this.report();
    } catch (error) {
      if (isControlPlaneError(error, 404)) await this.register();
      else this.options.logger.debug({ err: error }, 'node status not reported');
    } finally {
      this.busy = false;
    }
  }

  private async report(): Promise<void> {
    await this.options.client.updateNodeStatus(buildNodeStatus(this.options.identity, this.currentFacts(), this.conditions), this.abort.signal);
    this.lastReportMs = this.options.env.clock.nowMs();
  }

  /** Re-reads the host; true when a condition changed. */
  private async refresh(): Promise<boolean> {
    this.facts = await readHostFacts(this.options.dataDirectory);
    const now = new Date(this.options.env.clock.nowMs()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const next = computeNodeConditions(this.facts, this.options.runtimeProblem(), this.conditions, now);
    const changed = conditionsChanged(this.conditions, next);
    if (changed && this.conditions.length > 0) this.options.logger.info({ conditions: next.map((condition) => `${condition.type}=${condition.status}`) }, 'node conditions changed');
    this.conditions = next;
    return changed;
  }

  private currentFacts(): HostFacts {
    if (this.facts === undefined) throw new Error('host facts are read before the first report');
    return this.facts;
  }
}
