import { silentLogger, type Env, type Logger, type TimerHandle } from '../../common/index.ts';
import { ProtocolLimits, type AgentEvent } from '../../control-plane/nats/protocol/index.ts';
import type { Pod } from '../pod-types.ts';

export const EventReporterLimits = {
  /** Events waiting to be sent; more are dropped and counted (events are advice, never back-pressure). */
  pendingMax: 256,
  /** Recent events remembered, so a repeat increments a count instead of making a new Event. */
  recentMax: 4_096,
  /** kubelet's (client-go's) aggregation window. */
  aggregateWindowMs: 600_000,
  flushIntervalMs: 1_000,
} as const;

export type EventType = 'Normal' | 'Warning';

export type EventSender = (events: readonly AgentEvent[]) => Promise<void>;

interface Recent {
  event: AgentEvent;
  readonly firstMs: number;
}

/**
 * kubelet's events about the pods it runs (Created, Started, Killing, Unhealthy, BackOff …),
 * aggregated like client-go's recorder (the same pod, reason and message within 10 minutes bumps
 * one Event's count), sent in batches every second; a failed batch is dropped.
 */
export class EventReporter {
  private readonly recent = new Map<string, Recent>();
  private readonly pending = new Map<string, AgentEvent>();
  private timer: TimerHandle | undefined;
  private sending = false;
  dropped = 0;

  constructor(private readonly send: EventSender, private readonly env: Env, private readonly logger: Logger = silentLogger) {}

  start(): void {
    this.timer = this.env.timers.setInterval(() => void this.flush(), EventReporterLimits.flushIntervalMs);
  }

  stop(): void {
    this.timer?.cancel();
  }

  record(pod: Pod, type: EventType, reason: string, message: string, fieldPath = ''): void {
    const nowMs = this.env.clock.nowMs();
    const key = `${pod.metadata.uid}|${reason}|${message}|${fieldPath}`;
    const now = isoSeconds(nowMs);
    const seen = this.recent.get(key);
    let event: AgentEvent;
    if (seen !== undefined && nowMs - seen.firstMs < EventReporterLimits.aggregateWindowMs) {
      event = { ...seen.event, count: seen.event.count + 1, lastTimestamp: now };
      seen.event = event;
    } else {
      const namespace = pod.metadata.namespace ?? 'default';
      event = {
        name: `${pod.metadata.name}.${nowMs.toString(16)}${this.env.prng.nextInt(0, 0x10000).toString(16).padStart(4, '0')}`,
        namespace, type, reason, message, count: 1, firstTimestamp: now, lastTimestamp: now,
        involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace, name: pod.metadata.name, uid: pod.metadata.uid, fieldPath },
      };
      this.remember(key, { event, firstMs: nowMs });
    }
    if (!this.pending.has(event.name) && this.pending.size >= EventReporterLimits.pendingMax) {
      this.dropped++;
      return;
    }
    this.pending.set(event.name, event);
  }

  async flush(): Promise<void> {
    if (this.sending || this.pending.size === 0) return;
    this.sending = true;
    try {
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()].slice(0, ProtocolLimits.eventsPerBatchMax);
        for (const event of batch) this.pending.delete(event.name);
        await this.send(batch).catch((error: unknown) => {
          this.dropped += batch.length;
          this.logger.debug({ err: error, events: batch.length }, 'events not recorded');
        });
      }
    } finally {
      this.sending = false;
    }
  }

  private remember(key: string, entry: Recent): void {
    this.recent.set(key, entry);
    if (this.recent.size > EventReporterLimits.recentMax) {
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
  }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
