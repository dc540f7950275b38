import type { Env, Logger, TimerHandle } from '../../common/index.ts';
import type { PodUsage } from '../../control-plane/nats/protocol/index.ts';
import { nanocores, sampleUsage, type UsageSample } from '../node/usage-sampler.ts';
import type { Pod } from '../pod-types.ts';
import type { Runtime } from '../runtime.ts';
import { isControlPlaneError, type ControlPlaneClient } from './control-plane-client.ts';

export const UsageReporterDefaults = {
  /** metrics-server's default resolution (`--usage-report-interval`). */
  intervalMs: 15_000,
} as const;

export interface UsageReporterOptions {
  readonly client: ControlPlaneClient;
  readonly runtime: Runtime;
  readonly pods: () => readonly Pod[];
  readonly env: Env;
  readonly logger: Logger;
  readonly intervalMs?: number;
}

/**
 * Measures the node's and each running container's cpu and memory (from /proc: a container is its
 * process group) and reports them for metrics.k8s.io NodeMetrics/PodMetrics (`kubectl top`).
 * Cpu usage needs two samples, so the first report comes one interval after start. A control
 * plane that does not store metrics (501) stops the reports.
 */
export class UsageReporter {
  private timer: TimerHandle | undefined;
  private previous: UsageSample | undefined;
  private busy = false;
  private stopped = false;
  reports = 0;

  constructor(private readonly options: UsageReporterOptions) {}

  start(): void {
    this.timer = this.options.env.timers.setInterval(() => void this.tick(), this.options.intervalMs ?? UsageReporterDefaults.intervalMs);
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    this.busy = true;
    try {
      const running = this.options.runtime.list().filter((container) => container.exit === undefined && container.pid > 1);
      const sample = await sampleUsage(new Set(running.map((container) => container.pid)), this.options.env.clock.nowMs());
      const previous = this.previous;
      this.previous = sample;
      if (previous === undefined) return;
      const windowMs = sample.atMs - previous.atMs;
      const pods = this.podUsage(running, previous, sample, windowMs);
      await this.options.client.reportMetrics({
        timestamp: new Date(sample.atMs).toISOString().replace(/\.\d{3}Z$/, 'Z'), windowSeconds: Math.max(1, Math.round(windowMs / 1000)),
        node: { cpu: `${nanocores(previous.hostBusyTicks, sample.hostBusyTicks, windowMs)}n`, memory: `${Math.round(sample.hostMemoryUsedBytes / 1024)}Ki` },
        pods,
      });
      this.reports++;
    } catch (error) {
      if (isControlPlaneError(error, 501)) {
        this.options.logger.info('the control plane does not store resource metrics; usage reports stop');
        this.stop();
      } else this.options.logger.debug({ err: error }, 'usage not reported');
    } finally {
      this.busy = false;
    }
  }

  private podUsage(running: ReturnType<Runtime['list']>, previous: UsageSample, sample: UsageSample, windowMs: number): PodUsage[] {
    const pods = new Map(this.options.pods().map((pod) => [pod.metadata.uid, pod]));
    const usage = new Map<string, PodUsage>();
    for (const container of running) {
      const pod = pods.get(container.podUid);
      const now = sample.groups.get(container.pid);
      if (pod === undefined || now === undefined) continue;
      const before = previous.groups.get(container.pid) ?? now;
      const entry = usage.get(pod.metadata.uid) ?? { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, uid: pod.metadata.uid, labels: { ...pod.metadata.labels }, containers: [] };
      usage.set(pod.metadata.uid, {
        ...entry,
        containers: [...entry.containers, { name: container.containerName, cpu: `${nanocores(before.cpuTicks, now.cpuTicks, windowMs)}n`, memory: `${Math.round(now.rssBytes / 1024)}Ki` }],
      });
    }
    return [...usage.values()];
  }
}
