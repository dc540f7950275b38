import type { NatsConnection } from '@nats-io/transport-node';
import { sleep, type Env, type Logger } from '../../common/index.ts';
import type { ApiContext } from '../api/context.ts';
import type { ObjectWatchEvent } from '../api/object-store.ts';
import { listPrefix } from '../api/objects/storage-keys.ts';
import { configMapResource } from '../api/registry/kinds/config-map.ts';
import { endpointSliceResource } from '../api/registry/kinds/endpoint-slice.ts';
import { ingressResource } from '../api/registry/kinds/ingress.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { secretResource } from '../api/registry/kinds/secret.ts';
import { serviceResource } from '../api/registry/kinds/service.ts';
import type { ResourceDefinition } from '../api/registry/resource.ts';
import type { Leadership } from './leadership.ts';
import { SubjectSequences } from './node-sequences.ts';
import { parseStoredObject, routePodChange } from './pod-event-routing.ts';
import { encodeMessage, ProtocolLimits, protocolVersion, watchedKinds, type ConfigKind, type Subjects, type WatchedKind } from './protocol/index.ts';

type StoredChange = Exclude<ObjectWatchEvent, { type: 'progress' }>;

/** The stored kind behind each cluster-wide change subject. */
const watchedDefinitions: Readonly<Record<WatchedKind, ResourceDefinition>> = {
  services: serviceResource,
  endpointslices: endpointSliceResource,
  ingresses: ingressResource,
};

const changeTypes = { created: 'added', updated: 'updated', deleted: 'deleted' } as const;

/** Pause before a publisher whose watch failed starts again (with a new epoch). */
const restartDelayMs = 1_000;

export interface LeaderPublisherOptions {
  readonly connection: NatsConnection;
  readonly subjects: Subjects;
  readonly api: ApiContext;
  readonly leadership: Leadership;
  readonly env: Env;
  readonly logger: Logger;
  /** Tests shorten the progress period. */
  readonly progressIntervalMs?: number;
}

export interface PublisherCounters {
  epochs: number;
  published: number;
  dropped: number;
}

/**
 * On the Raft leader only: the pod changes of each node, published to that node's subject,
 * ConfigMap/Secret change notices, and every Service, EndpointSlice and Ingress change (for the
 * node proxies), all from this replica's local watch of the store. Each run has
 * a fresh epoch and numbers every subject's messages from 1; idle subjects get a progress message
 * every `progressIntervalMs`. When leadership moves, the old leader stops and the new one starts
 * with its own epoch, so agents re-list: nothing in NATS is ever the only copy of anything.
 */
export class LeaderPublisher {
  readonly counters: PublisherCounters = { epochs: 0, published: 0, dropped: 0 };
  private running: AbortController | undefined;
  private loop: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(private readonly options: LeaderPublisherOptions) {
    this.unsubscribe = options.leadership.onChange((isLeader) => this.apply(isLeader));
    this.apply(options.leadership.isLeader());
  }

  get isPublishing(): boolean {
    return this.running !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    this.apply(false);
    await this.loop;
  }

  private apply(isLeader: boolean): void {
    if (isLeader && !this.closed && this.running === undefined) {
      const controller = new AbortController();
      this.running = controller;
      this.loop = this.loop.then(() => this.runWhileLeader(controller.signal));
    } else if ((!isLeader || this.closed) && this.running !== undefined) {
      this.running.abort();
      this.running = undefined;
    }
  }

  private async runWhileLeader(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await new PublisherRun(this.options, this.counters, this.newEpoch()).run(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.options.logger.warn({ err: error }, 'pod event publisher stopped; restarting with a new epoch');
      }
      await sleep(this.options.env.timers, restartDelayMs, signal);
    }
  }

  private newEpoch(): string {
    this.counters.epochs++;
    const random = Array.from({ length: 4 }, () => this.options.env.prng.nextInt(0, 0x10000).toString(16).padStart(4, '0')).join('');
    return `${this.options.env.clock.nowMs().toString(36)}-${random}`;
  }
}

/** One epoch: seven watches from one revision, and the progress timer. Ends (throws) when any watch ends. */
class PublisherRun {
  private readonly sequences = new SubjectSequences();
  private revision = 0;
  /** The revision this run watches after: changes up to it were never published by it. */
  private since = 0;

  constructor(private readonly options: LeaderPublisherOptions, private readonly counters: PublisherCounters, private readonly epoch: string) {}

  async run(outer: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    outer.addEventListener('abort', stop, { once: true });
    const { store } = this.options.api;
    this.revision = await store.currentRevision();
    this.since = this.revision;
    const nowMs = this.options.env.clock.nowMs();
    const nodes = await store.list(listPrefix(nodeResource, undefined), { revision: this.revision, limit: ProtocolLimits.nodesTrackedMax });
    for (const node of nodes.items) this.sequences.track(this.options.subjects.nodePods(node.key.slice(node.key.lastIndexOf('/') + 1)), nowMs);
    this.sequences.track(this.options.subjects.configChanges(), nowMs);
    for (const kind of watchedKinds) this.sequences.track(this.options.subjects.objectChanges(kind), nowMs);
    this.options.logger.info({ epoch: this.epoch, revision: this.revision, nodes: nodes.items.length }, 'leader: publishing pod, config, service, endpoint slice and ingress changes');
    const progressMs = this.options.progressIntervalMs ?? ProtocolLimits.progressIntervalMs;
    const timer = this.options.env.timers.setInterval(() => this.publishProgress(progressMs), Math.max(50, progressMs / 2));
    const watch = (prefix: string, onEvent: (event: StoredChange) => void): Promise<void> => this.follow(prefix, controller, onEvent);
    try {
      await Promise.all([
        watch(listPrefix(podResource, undefined), (event) => this.onPodEvent(event)),
        watch(listPrefix(nodeResource, undefined), (event) => this.onNodeEvent(event)),
        watch(listPrefix(configMapResource, undefined), (event) => this.onConfigEvent('ConfigMap', event)),
        watch(listPrefix(secretResource, undefined), (event) => this.onConfigEvent('Secret', event)),
        ...watchedKinds.map((kind) => watch(listPrefix(watchedDefinitions[kind], undefined), (event) => this.onObjectEvent(kind, event))),
      ]);
    } finally {
      timer.cancel();
      outer.removeEventListener('abort', stop);
    }
  }

  /** Runs one watch; its end (an error, or a cut-off) ends the whole run so that a new epoch starts. */
  private async follow(prefix: string, controller: AbortController, onEvent: (event: StoredChange) => void): Promise<void> {
    try {
      for await (const event of this.options.api.store.watch(prefix, { fromRevision: this.revision + 1, signal: controller.signal })) {
        if (event.revision > this.revision) this.revision = event.revision;
        if (event.type !== 'progress') onEvent(event);
      }
    } finally {
      const stoppedByUs = controller.signal.aborted;
      controller.abort();
      if (!stoppedByUs) throw new Error(`the watch of ${prefix} ended`);
    }
  }

  private onPodEvent(event: StoredChange): void {
    const pod = parseStoredObject(event.value);
    if (pod === null) return;
    const metadata = pod['metadata'];
    if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) metadata['resourceVersion'] = String(event.revision);
    for (const route of routePodChange(event.type, pod, parseStoredObject(event.prevValue))) {
      this.publish(this.options.subjects.nodePods(route.nodeName), (sequence) => ({ kind: 'change', type: route.type, pod, sequence, revision: event.revision }));
    }
  }

  /** A Service, EndpointSlice or Ingress changed: the object (a delete: its last state) to every proxy. */
  private onObjectEvent(kind: WatchedKind, event: StoredChange): void {
    const object = parseStoredObject(event.value);
    if (object === null) return;
    const metadata = object['metadata'];
    if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) metadata['resourceVersion'] = String(event.revision);
    this.publish(this.options.subjects.objectChanges(kind), (sequence) => ({ kind: 'change', type: changeTypes[event.type], object, sequence, revision: event.revision }));
  }

  private onNodeEvent(event: StoredChange): void {
    if (event.type === 'created') this.sequences.track(this.options.subjects.nodePods(event.key.slice(event.key.lastIndexOf('/') + 1)), this.options.env.clock.nowMs());
  }

  private onConfigEvent(kind: ConfigKind, event: StoredChange): void {
    const parts = event.key.split('/');
    const name = parts[parts.length - 1] ?? '';
    const namespace = parts[parts.length - 2] ?? '';
    this.publish(this.options.subjects.configChanges(), (sequence) => ({ kind: 'change', objectKind: kind, namespace, name, sequence, revision: event.revision }));
  }

  private publishProgress(progressMs: number): void {
    const nowMs = this.options.env.clock.nowMs();
    for (const subject of this.sequences.idleSince(nowMs - progressMs)) {
      this.publish(subject, (sequence) => ({ kind: 'progress', sequence, revision: this.revision }));
    }
  }

  /**
   * Numbers and sends one message. One that cannot be sent (too big, or NATS refused it) still
   * used its number: the receiver sees the gap and re-lists, which is the recovery we want.
   */
  private publish(subject: string, build: (sequence: number) => object): void {
    const sequence = this.sequences.next(subject, this.options.env.clock.nowMs());
    if (sequence === undefined) return;
    try {
      this.options.connection.publish(subject, encodeMessage({ version: protocolVersion, epoch: this.epoch, since: this.since, ...build(sequence) }));
      this.counters.published++;
    } catch (error) {
      this.counters.dropped++;
      this.options.logger.debug({ err: error, subject }, 'a change was not published (the receiver will see a gap and re-list)');
    }
  }
}
