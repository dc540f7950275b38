import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Env, Logger, TimerHandle } from '../../common/index.ts';
import { decodeConfigChange, SequenceTracker, type Subjects } from '../../control-plane/nats/protocol/index.ts';
import type { ConfigData } from '../pod-types.ts';
import { configReferenceKey, type ConfigReference } from './api-pod.ts';
import type { ControlPlaneClient } from './control-plane-client.ts';

export const ConfigCacheLimits = {
  /** ConfigMaps and Secrets held (only those a pod here uses are kept). */
  entriesMax: 2_000,
  /** Fetches at once. */
  concurrentFetchesMax: 8,
  /** Every entry is fetched again this often, in case a change notice was lost. */
  refreshIntervalMs: 60_000,
} as const;

interface Entry {
  readonly reference: ConfigReference;
  /** undefined: the object does not exist (a non-optional reference then fails the container). */
  data: ConfigData | undefined;
  revision: number;
}

export type ConfigChangeListener = (reference: ConfigReference) => void;

/**
 * The ConfigMaps and Secrets the node's pods use, for the pod workers' synchronous lookups. The
 * pod manager `ensure`s a pod's references before starting it; change notices from the control
 * plane (names and revisions, never data) make the agent fetch again and tell listeners, which
 * re-project volumes. A gap in the notices, or a reconnect, refreshes everything held.
 */
export class ConfigCache {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly tracker = new SequenceTracker();
  private subscription: Subscription | undefined;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly client: ControlPlaneClient,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {}

  start(connection: NatsConnection, subjects: Subjects): void {
    this.subscription = connection.subscribe(subjects.configChanges(), { callback: (error, message) => {
      if (error === null) this.onNotice(message.data);
    } });
    this.timer = this.env.timers.setInterval(() => void this.refreshAll(), ConfigCacheLimits.refreshIntervalMs);
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.timer?.cancel();
  }

  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  configMap(namespace: string, name: string): ConfigData | undefined {
    return this.entries.get(configReferenceKey({ kind: 'ConfigMap', namespace, name }))?.data;
  }

  secret(namespace: string, name: string): ConfigData | undefined {
    return this.entries.get(configReferenceKey({ kind: 'Secret', namespace, name }))?.data;
  }

  /** Fetches the references not held yet; throws when one could not be read (the caller retries). */
  async ensure(references: readonly ConfigReference[], signal?: AbortSignal): Promise<void> {
    const missing = references.filter((reference) => !this.entries.has(configReferenceKey(reference)));
    await this.fetchAll(missing, signal);
  }

  /** Drops entries no pod uses any more. */
  retainOnly(references: readonly ConfigReference[]): void {
    const keep = new Set(references.map(configReferenceKey));
    for (const key of this.entries.keys()) if (!keep.has(key)) this.entries.delete(key);
  }

  /** After a reconnect: every held entry may be stale. */
  onReconnect(): void {
    this.tracker.reset();
    void this.refreshAll();
  }

  async refreshAll(): Promise<void> {
    await this.fetchAll([...this.entries.values()].map((entry) => entry.reference)).catch((error: unknown) => this.logger.debug({ err: error }, 'config refresh failed; retried later'));
  }

  private onNotice(bytes: Uint8Array): void {
    let notice;
    try {
      notice = decodeConfigChange(bytes);
    } catch (error) {
      return this.logger.warn({ err: error }, 'ignored a config change notice');
    }
    const verdict = this.tracker.observe(notice.epoch, notice.sequence);
    // Without a baseline (start, reconnect) or with a hole, any held entry may be stale.
    if (verdict === 'first' || SequenceTracker.needsRelist(verdict)) return void this.refreshAll();
    if (notice.kind !== 'change') return;
    const reference = { kind: notice.objectKind, namespace: notice.namespace, name: notice.name };
    const entry = this.entries.get(configReferenceKey(reference));
    if (entry !== undefined && entry.revision < notice.revision) void this.fetchAll([reference]).catch(() => undefined);
  }

  private async fetchAll(references: readonly ConfigReference[], signal?: AbortSignal): Promise<void> {
    const queue = [...references];
    const worker = async (): Promise<void> => {
      for (let reference = queue.shift(); reference !== undefined; reference = queue.shift()) await this.fetch(reference, signal);
    };
    await Promise.all(Array.from({ length: Math.min(ConfigCacheLimits.concurrentFetchesMax, queue.length) }, worker));
  }

  private async fetch(reference: ConfigReference, signal?: AbortSignal): Promise<void> {
    const key = configReferenceKey(reference);
    if (!this.entries.has(key) && this.entries.size >= ConfigCacheLimits.entriesMax) {
      throw new Error(`the agent holds ${ConfigCacheLimits.entriesMax} ConfigMaps and Secrets already`);
    }
    const result = await this.client.getConfig(reference.kind, reference.namespace, reference.name, signal);
    const data = result.found ? result.data : undefined;
    const previous = this.entries.get(key);
    this.entries.set(key, { reference, data, revision: result.revision });
    if (previous !== undefined && (previous.revision !== result.revision || (previous.data === undefined) !== (data === undefined))) {
      for (const listener of this.listeners) listener(reference);
    }
  }
}
