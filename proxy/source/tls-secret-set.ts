import type { Env, Logger, TimerHandle } from '../../common/index.ts';
import { asString, getPath, type JsonObject } from '../../control-plane/api/json.ts';
import { decodeConfigChange, SequenceTracker, type ConfigChangeMessage, type ReflectorSubscribe } from '../../control-plane/nats/protocol/index.ts';
import { NatsSourceLimits } from '../limits.ts';
import type { SourceEvents } from './cluster-source.ts';

/** Fetches one kubernetes.io/tls Secret by name; null when there is none. */
export type TlsSecretFetch = (namespace: string, name: string, signal: AbortSignal) => Promise<JsonObject | null>;

/**
 * The TLS Secrets of the NATS source: only those the served Ingresses name, each fetched by name
 * (request-reply, so Secret data reaches this proxy alone and is never published). Fetched again
 * when a `config` notice names one, when the notices may have had a hole (first notice, new epoch,
 * gap, reconnect), and every `tlsSecretRefreshIntervalMs` anyway. The first complete round is the
 * `replaced('secrets')` the proxy waits for; later ones are changes.
 */
export class TlsSecretSet {
  private readonly held = new Map<string, JsonObject>();
  private wanted = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly tracker = new SequenceTracker();
  private readonly abort = new AbortController();
  private referencesKnown = false;
  private delivered = false;
  private running: Promise<void> | undefined;
  private subscription: { unsubscribe(): void } | undefined;
  private refreshTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;

  constructor(private readonly fetch: TlsSecretFetch, private readonly events: SourceEvents, private readonly env: Env, private readonly logger: Logger) {}

  /** Subscribes to the ConfigMap/Secret notices (names and revisions only). */
  start(subscribe: ReflectorSubscribe): void {
    this.subscription = subscribe((bytes) => this.onNotice(bytes));
    this.refreshTimer = this.env.timers.setInterval(() => this.refreshAll(), NatsSourceLimits.tlsSecretRefreshIntervalMs);
  }

  stop(): void {
    this.abort.abort();
    this.subscription?.unsubscribe();
    this.refreshTimer?.cancel();
    this.retryTimer?.cancel();
  }

  /** The served Ingresses name these `namespace/name` Secrets now: fetch the new ones, forget the others. */
  setReferences(keys: ReadonlySet<string>): void {
    const bounded = [...keys].sort().slice(0, NatsSourceLimits.tlsSecretsHeldMax);
    if (bounded.length < keys.size) this.logger.error({ named: keys.size, max: NatsSourceLimits.tlsSecretsHeldMax }, 'Ingresses name more TLS Secrets than the proxy holds; some are not fetched');
    const next = new Set(bounded);
    for (const [key, secret] of this.held) {
      if (next.has(key)) continue;
      this.held.delete(key);
      if (this.delivered) this.events.changed('secrets', 'DELETED', secret);
    }
    for (const key of next) if (!this.wanted.has(key)) this.stale.add(key);
    this.wanted = next;
    this.referencesKnown = true;
    this.sync();
  }

  /** After a NATS reconnect: notices may have been lost. */
  onReconnect(): void {
    this.tracker.reset();
    this.refreshAll();
  }

  private onNotice(bytes: Uint8Array): void {
    let notice: ConfigChangeMessage;
    try {
      notice = decodeConfigChange(bytes);
    } catch (error) {
      return this.logger.warn({ err: error }, 'ignored a config notice');
    }
    const verdict = this.tracker.observe(notice.epoch, notice.sequence);
    if (verdict === 'stale') return;
    // Without a baseline (or with a hole) any held Secret may have changed unseen.
    if (verdict !== 'next') return this.refreshAll();
    if (notice.kind !== 'change' || notice.objectKind !== 'Secret') return;
    const key = `${notice.namespace}/${notice.name}`;
    if (!this.wanted.has(key)) return;
    this.stale.add(key);
    this.sync();
  }

  private refreshAll(): void {
    for (const key of this.wanted) this.stale.add(key);
    this.sync();
  }

  private sync(): void {
    if (this.running !== undefined || this.abort.signal.aborted || !this.referencesKnown) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.stale.size > 0) this.sync();
    });
  }

  private async drain(): Promise<void> {
    while (this.stale.size > 0 && !this.abort.signal.aborted) {
      const batch = [...this.stale].slice(0, NatsSourceLimits.tlsSecretFetchesAtOnceMax);
      for (const key of batch) this.stale.delete(key);
      await Promise.all(batch.map((key) => this.fetchOne(key)));
    }
    if (!this.delivered && !this.abort.signal.aborted) {
      this.delivered = true;
      this.events.replaced('secrets', [...this.held.values()]);
    }
    if (this.failed.size > 0 && this.retryTimer === undefined) this.scheduleRetry();
  }

  private async fetchOne(key: string): Promise<void> {
    const slash = key.indexOf('/');
    let secret: JsonObject | null;
    try {
      secret = await this.fetch(key.slice(0, slash), key.slice(slash + 1), this.abort.signal);
    } catch (error) {
      if (!this.abort.signal.aborted) this.logger.warn({ err: error, secret: key }, 'could not fetch a TLS Secret; retrying');
      this.failed.add(key);
      return;
    }
    this.failed.delete(key);
    if (!this.wanted.has(key)) return;
    const previous = this.held.get(key);
    if (secret === null) {
      if (previous === undefined) return;
      this.held.delete(key);
      if (this.delivered) this.events.changed('secrets', 'DELETED', previous);
      return;
    }
    if (previous !== undefined && resourceVersionOf(previous) === resourceVersionOf(secret)) return;
    this.held.set(key, secret);
    if (this.delivered) this.events.changed('secrets', previous === undefined ? 'ADDED' : 'MODIFIED', secret);
  }

  private scheduleRetry(): void {
    this.retryTimer = this.env.timers.setTimeout(() => {
      this.retryTimer = undefined;
      for (const key of this.failed) if (this.wanted.has(key)) this.stale.add(key);
      this.failed.clear();
      this.sync();
    }, NatsSourceLimits.tlsSecretRetryMs);
  }
}

function resourceVersionOf(object: JsonObject): string {
  return asString(getPath(object, ['metadata', 'resourceVersion'])) ?? '';
}
