import type { Env, Logger } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import {
  decodePodEvent, ListWatchReflector, ProtocolLimits, ReflectorLimits, type PodEventMessage, type ReflectorSubscribe,
} from '../../control-plane/nats/protocol/index.ts';

/** What the pod source needs from the control plane client (ControlPlaneClient has it). */
export interface PodLister {
  listPods(signal?: AbortSignal): Promise<{ pods: JsonObject[]; revision: number }>;
}

/** Subscribes to the node's pod subject (NATS in production), returning how to stop. */
export type PodEventSubscribe = ReflectorSubscribe;

/** The pod source is a ListWatchReflector: its limits are the reflector's. */
export const PodSourceLimits = ReflectorLimits;

/** What the pod source tells the pod manager. */
export interface PodSourceHandler {
  /** A complete, consistent list of the node's pods (at `revision`): anything else known is gone. */
  synced(pods: readonly JsonObject[], revision: number): void;
  /** A pod was added or changed. */
  upsert(pod: JsonObject, revision: number): void;
  /** A pod was deleted (its last state). */
  remove(pod: JsonObject, revision: number): void;
}

/**
 * The node's pods as list + watch over NATS, kubelet's reflector: the protocol's
 * ListWatchReflector on the node's pod subject (subscribe, then list; a new epoch, a sequence gap,
 * a reconnect, or silence for `resyncSilenceMs` starts a new list), its view handed to the pod
 * manager as synced / upsert / remove.
 */
export class PodSource {
  private readonly reflector: ListWatchReflector<PodEventMessage>;

  constructor(
    client: PodLister,
    handler: PodSourceHandler,
    env: Env,
    logger: Logger,
    resyncSilenceMs: number = ProtocolLimits.resyncSilenceMs,
  ) {
    this.reflector = new ListWatchReflector<PodEventMessage>({
      what: 'pods',
      list: async (signal) => {
        const { pods, revision } = await client.listPods(signal);
        return { objects: pods, revision };
      },
      decode: decodePodEvent,
      env,
      logger,
      timings: { resyncSilenceMs },
      handler: {
        listed: (pods, revision) => handler.synced(pods, revision),
        changed: (message) => {
          if (message.type === 'deleted') handler.remove(message.pod, message.revision);
          else handler.upsert(message.pod, message.revision);
        },
        // What is known stays in force; the reflector logs the failure and retries.
        interrupted: () => undefined,
      },
    });
  }

  /** Complete lists so far. */
  get lists(): number {
    return this.reflector.lists;
  }

  start(subscribe: PodEventSubscribe): void {
    this.reflector.start(subscribe);
  }

  stop(): void {
    this.reflector.stop();
  }

  /** After a NATS reconnect: messages may have been lost while away. */
  onReconnect(): void {
    this.reflector.onReconnect();
  }

  /** Resolves when no list is running or wanted (tests, start-up). */
  settled(): Promise<void> {
    return this.reflector.settled();
  }

  relist(why: string): void {
    this.reflector.relist(why);
  }
}
