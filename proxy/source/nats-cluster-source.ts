import type { NatsConnection } from '@nats-io/transport-node';
import type { Env, Logger } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import {
  decodeObjectEvent, ListWatchReflector, watchConnection, watchedKinds, type ObjectEventMessage, type ReflectorHandler, type ReflectorSubscribe,
  type ReflectorTimings, type Subjects, type WatchedKind,
} from '../../control-plane/nats/protocol/index.ts';
import { SourceLimits } from '../limits.ts';
import { flotillaIngressClass, parseIngress } from '../model/ingress-view.ts';
import type { ChangeType, ClusterSource, ClusterWriter, SourceEvents, SourceKind } from './cluster-source.ts';
import { objectKey } from './cluster-state.ts';
import { NatsClusterWriter } from './nats-cluster-writer.ts';
import { NatsControlPlaneClient } from './nats-control-plane-client.ts';
import { TlsSecretSet } from './tls-secret-set.ts';

const changeTypes = { added: 'ADDED', updated: 'MODIFIED', deleted: 'DELETED' } as const satisfies Record<string, ChangeType>;

export interface NatsClusterSourceOptions {
  /** Owned by the caller (the proxy command, or the agent whose connection the proxy shares). */
  readonly connection: NatsConnection;
  readonly subjects: Subjects;
  readonly env: Env;
  readonly logger: Logger;
  /** Tests shorten the re-list timings. */
  readonly timings?: Partial<ReflectorTimings>;
}

/**
 * The ClusterSource over NATS (docs/nats-protocol.md): per kind — Services, EndpointSlices,
 * Ingresses — a list through the control plane's queue group and the Raft leader's change subject,
 * with the protocol's re-list rule (new epoch, gap, `since`, reconnect, silence) in
 * ListWatchReflector. TLS Secrets are fetched by name, only those the served Ingresses name
 * (TlsSecretSet). Core/v1 Endpoints are not carried: EndpointSlices are the source of endpoints.
 * Writes go back as the protocol's compare-and-swap operations.
 */
export class NatsClusterSource implements ClusterSource {
  readonly kinds: readonly SourceKind[] = [...watchedKinds, 'secrets'];
  readonly writer: ClusterWriter;
  private readonly client: NatsControlPlaneClient;
  private readonly ingresses = new Map<string, JsonObject>();

  constructor(private readonly options: NatsClusterSourceOptions) {
    this.client = new NatsControlPlaneClient(options.connection, options.subjects);
    this.writer = new NatsClusterWriter(this.client, options.logger);
  }

  get description(): string {
    return `NATS ${this.options.connection.getServer()} (${this.options.subjects.prefix})`;
  }

  async run(events: SourceEvents, signal: AbortSignal): Promise<void> {
    const { connection, subjects, env, logger } = this.options;
    const secrets = new TlsSecretSet((namespace, name, abort) => this.client.getTlsSecret(namespace, name, abort), events, env, logger.child({ kind: 'secrets' }));
    // Notices first, so that no Secret change falls between a fetch and the subscription.
    secrets.start(this.subscriber(subjects.configChanges()));
    const reflectors = watchedKinds.map((kind) => {
      const reflector = new ListWatchReflector<ObjectEventMessage>({
        what: kind, list: (abort) => this.client.list(kind, abort), decode: (bytes) => decodeObjectEvent(bytes, kind),
        handler: this.handlerFor(kind, events, secrets), env, logger, ...(this.options.timings === undefined ? {} : { timings: this.options.timings }),
      });
      reflector.start(this.subscriber(subjects.objectChanges(kind)));
      return reflector;
    });
    const watching = watchConnection(connection, logger, () => {
      for (const reflector of reflectors) reflector.onReconnect();
      secrets.onReconnect();
    }, signal).catch(() => undefined);
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    for (const reflector of reflectors) reflector.stop();
    secrets.stop();
    await watching;
  }

  private subscriber(subject: string): ReflectorSubscribe {
    return (onMessage) => {
      const subscription = this.options.connection.subscribe(subject, { callback: (error, message) => {
        if (error === null) onMessage(message.data);
      } });
      return { unsubscribe: () => subscription.unsubscribe() };
    };
  }

  private handlerFor(kind: WatchedKind, events: SourceEvents, secrets: TlsSecretSet): ReflectorHandler<ObjectEventMessage> {
    return {
      listed: (objects) => {
        events.replaced(kind, objects);
        if (kind !== 'ingresses') return;
        this.ingresses.clear();
        for (const object of objects.slice(0, SourceLimits.objectsPerKindMax)) this.ingresses.set(objectKey(object), object);
        secrets.setReferences(this.referencedSecrets());
      },
      changed: (message) => {
        events.changed(kind, changeTypes[message.type], message.object);
        if (kind !== 'ingresses') return;
        if (message.type === 'deleted') this.ingresses.delete(objectKey(message.object));
        else if (this.ingresses.size < SourceLimits.objectsPerKindMax || this.ingresses.has(objectKey(message.object))) this.ingresses.set(objectKey(message.object), message.object);
        secrets.setReferences(this.referencedSecrets());
      },
      interrupted: (reason) => events.interrupted(kind, reason),
    };
  }

  /** `namespace/name` of every TLS Secret the Ingresses this proxy serves name. */
  private referencedSecrets(): Set<string> {
    const keys = new Set<string>();
    for (const object of this.ingresses.values()) {
      const ingress = parseIngress(object);
      if (ingress === null || ingress.className !== flotillaIngressClass) continue;
      for (const entry of ingress.tls) if (entry.secretKey !== null) keys.add(entry.secretKey);
    }
    return keys;
  }
}
