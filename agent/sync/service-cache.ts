import type { Env, Logger } from '../../common/index.ts';
import { asString, getPath, type JsonObject } from '../../control-plane/api/json.ts';
import {
  decodeObjectEvent, ListWatchReflector, type ListedObjects, type ObjectEventMessage, type ReflectorSubscribe, type ReflectorTimings,
} from '../../control-plane/nats/protocol/index.ts';
import { parseLinkedService, serviceLinkVariables, type LinkedService, type ServiceAddressing } from '../service-links.ts';

export const ServiceCacheLimits = {
  /** Services held (every Service of the cluster); past it the rest are ignored (and logged). */
  servicesMax: 10_000,
} as const;

/**
 * Every Service of the cluster, listed through the bridge (`services.list`) and followed on the
 * leader's `services` subject with the protocol's re-list rule, for the containers' Service
 * environment variables. Like kubelet, containers start only once the Services were read at
 * least once (`whenSynced`), so a container's variables never miss a Service that existed.
 */
export class ServiceCache {
  private readonly services = new Map<string, LinkedService>();
  private readonly reflector: ListWatchReflector<ObjectEventMessage>;
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];
  private overflowLogged = false;

  constructor(list: (signal: AbortSignal) => Promise<ListedObjects>, env: Env, private readonly logger: Logger, timings?: Partial<ReflectorTimings>) {
    this.reflector = new ListWatchReflector<ObjectEventMessage>({
      what: 'services', list, decode: (bytes) => decodeObjectEvent(bytes, 'services'), env, logger, ...(timings === undefined ? {} : { timings }),
      handler: {
        listed: (objects) => this.onListed(objects),
        changed: (message) => {
          if (message.type === 'deleted') this.services.delete(keyOf(message.object));
          else this.put(message.object);
        },
        interrupted: () => undefined,
      },
    });
  }

  start(subscribe: ReflectorSubscribe): void {
    this.reflector.start(subscribe);
  }

  stop(): void {
    this.reflector.stop();
    for (const wake of this.syncWaiters.splice(0)) wake();
  }

  onReconnect(): void {
    this.reflector.onReconnect();
  }

  get isSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the Services were listed once (or the agent is stopping). */
  whenSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** The Service variables of a pod in `namespace`, from the Services known now. */
  variables(namespace: string, enableServiceLinks: boolean, addressing: ServiceAddressing): Map<string, string> {
    return serviceLinkVariables([...this.services.values()], namespace, enableServiceLinks, addressing);
  }

  private onListed(objects: readonly JsonObject[]): void {
    this.services.clear();
    for (const object of objects) this.put(object);
    this.synced = true;
    for (const wake of this.syncWaiters.splice(0)) wake();
  }

  private put(object: JsonObject): void {
    const key = keyOf(object);
    const service = parseLinkedService(object);
    if (service === null) {
      this.services.delete(key);
      return;
    }
    if (!this.services.has(key) && this.services.size >= ServiceCacheLimits.servicesMax) {
      if (!this.overflowLogged) this.logger.error({ max: ServiceCacheLimits.servicesMax }, 'more Services than the agent holds; some get no environment variables');
      this.overflowLogged = true;
      return;
    }
    this.services.set(key, service);
  }
}

function keyOf(object: JsonObject): string {
  return `${asString(getPath(object, ['metadata', 'namespace'])) ?? ''}/${asString(getPath(object, ['metadata', 'name'])) ?? ''}`;
}
