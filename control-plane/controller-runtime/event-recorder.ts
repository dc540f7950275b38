import type { Env, Logger } from '../../common/index.ts';
import type { JsonObject } from '../api/json.ts';
import { eventResource } from '../api/registry/kinds/event.ts';
import type { ApiClient } from './api-client.ts';
import { isoSeconds, metaString, nameOf, namespaceOf, uidOf } from './object-meta.ts';

export const EventLimits = {
  /** Event writes in flight; more are dropped and counted (events are advice, never worth back-pressure). */
  pendingWritesMax: 256,
  /** Recent (object, reason, message) triples remembered to count repeats instead of writing new Events. */
  recentEventsMax: 4096,
  /** A repeat within this window bumps the existing Event's count (Kubernetes' aggregation window is 10 min). */
  aggregateWindowMs: 600_000,
} as const;

export type EventType = 'Normal' | 'Warning';

interface Recent {
  readonly namespace: string;
  readonly name: string;
  readonly firstMs: number;
  count: number;
}

/**
 * Writes core/v1 Events as Kubernetes' recorder does, so `kubectl describe` and `kubectl get events`
 * show what the controllers did. A repeat of the same event about the same object increments the
 * existing Event's count. Writes are asynchronous, bounded, and their failures only logged.
 */
export class EventRecorder {
  private pending = 0;
  private readonly recent = new Map<string, Recent>();
  dropped = 0;

  constructor(
    private readonly client: ApiClient,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {}

  record(component: string, object: JsonObject, type: EventType, reason: string, message: string): void {
    if (this.pending >= EventLimits.pendingWritesMax) {
      this.dropped++;
      return;
    }
    this.pending++;
    this.write(component, object, type, reason, message)
      .catch((error: unknown) => this.logger.debug({ err: error, reason }, 'event not recorded'))
      .finally(() => this.pending--);
  }

  /** Resolves when no event write is in flight (tests). */
  async flushed(): Promise<void> {
    while (this.pending > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  private async write(component: string, object: JsonObject, type: EventType, reason: string, message: string): Promise<void> {
    const nowMs = this.env.clock.nowMs();
    const id = `${uidOf(object)}|${reason}|${message}`;
    const seen = this.recent.get(id);
    if (seen !== undefined && nowMs - seen.firstMs < EventLimits.aggregateWindowMs && (await this.bump(seen, nowMs))) return;
    const namespace = namespaceOf(object) === '' ? 'default' : namespaceOf(object);
    const name = `${nameOf(object)}.${this.suffix(nowMs)}`;
    const time = isoSeconds(nowMs);
    await this.client.create(eventResource, {
      metadata: { name, namespace },
      involvedObject: involvedObject(object),
      reason, message, type,
      source: { component },
      firstTimestamp: time, lastTimestamp: time, count: 1,
      reportingComponent: component, reportingInstance: component,
    });
    this.remember(id, { namespace, name, firstMs: nowMs, count: 1 });
  }

  private async bump(seen: Recent, nowMs: number): Promise<boolean> {
    const current = await this.client.get(eventResource, seen.namespace, seen.name);
    if (current === null) return false;
    seen.count = (typeof current['count'] === 'number' ? current['count'] : seen.count) + 1;
    await this.client.update(eventResource, { ...current, count: seen.count, lastTimestamp: isoSeconds(nowMs) });
    return true;
  }

  private remember(id: string, entry: Recent): void {
    this.recent.set(id, entry);
    if (this.recent.size > EventLimits.recentEventsMax) {
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
  }

  /** Kubernetes names events `<object>.<hex time>`; a random tail keeps same-millisecond events apart. */
  private suffix(nowMs: number): string {
    return `${nowMs.toString(16)}${this.env.prng.nextInt(0, 0x10000).toString(16).padStart(4, '0')}`;
  }
}

function involvedObject(object: JsonObject): JsonObject {
  const reference: JsonObject = {
    kind: typeof object['kind'] === 'string' ? object['kind'] : '',
    apiVersion: typeof object['apiVersion'] === 'string' ? object['apiVersion'] : '',
    name: nameOf(object),
    uid: uidOf(object),
    resourceVersion: metaString(object, 'resourceVersion'),
  };
  if (namespaceOf(object) !== '') reference['namespace'] = namespaceOf(object);
  return reference;
}
