import type { JsonObject } from '../../control-plane/api/json.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import type { ResourceDefinition } from '../../control-plane/api/registry/resource.ts';
import {
  isApiStatus, isBeingDeleted, isPodReady, labelsOfObject, nameOf, namespaceOf, podPhase, uidOf, type ApiClient,
} from '../../control-plane/controller-runtime/index.ts';
import { targetNodeOf } from '../../control-plane/controllers/index.ts';

/** One pod change as the watch delivered it, in store order. */
export interface PodEvent {
  readonly type: 'added' | 'updated' | 'deleted';
  readonly name: string;
  readonly uid: string;
  readonly node: string;
  readonly revision: string;
  readonly runningAndReady: boolean;
  readonly terminating: boolean;
}

function eventOf(type: PodEvent['type'], pod: JsonObject): PodEvent {
  return {
    type, name: nameOf(pod), uid: uidOf(pod), node: targetNodeOf(pod), revision: labelsOfObject(pod)['controller-revision-hash'] ?? '',
    runningAndReady: podPhase(pod) === 'Running' && isPodReady(pod), terminating: isBeingDeleted(pod),
  };
}

/** Events kept per log (a test's whole history fits; more would mean a runaway controller). */
export const podEventLogMax = 20_000;

/**
 * Every pod change of a namespace from now on, in the store's order: invariants are checked on
 * this exact history, not on samples taken by polling.
 */
export class PodEventLog {
  /** The pods that existed when the log started (as 'added'), the history's starting point. */
  readonly initial: PodEvent[] = [];
  readonly events: PodEvent[] = [];
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();

  static async start(client: ApiClient, namespace = 'default'): Promise<PodEventLog> {
    const log = new PodEventLog();
    const { items, revision } = await client.list(podResource, namespace);
    for (const pod of items) log.initial.push(eventOf('added', pod));
    log.done = log.follow(client, revision, namespace);
    return log;
  }

  private async follow(client: ApiClient, revision: number, namespace: string): Promise<void> {
    try {
      for await (const change of client.watch(podResource, revision, this.abort.signal, namespace)) {
        if (change.type === 'progress') continue;
        if (this.events.length >= podEventLogMax) throw new Error('pod event log full');
        this.events.push(eventOf(change.type, change.object));
      }
    } catch (error) {
      if (!this.abort.signal.aborted) throw error;
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  /** The live pods (by name) after the first `count` events. */
  liveAfter(count: number): Map<string, PodEvent> {
    const live = new Map<string, PodEvent>();
    for (const event of [...this.initial, ...this.events.slice(0, count)]) {
      if (event.type === 'deleted') live.delete(event.name);
      else live.set(event.name, event);
    }
    return live;
  }
}

/** Read-modify-write of an object, retried when a controller wrote in between (409). */
export async function editObject(client: ApiClient, definition: ResourceDefinition, namespace: string, name: string, edit: (object: JsonObject) => void): Promise<JsonObject> {
  for (let attempt = 0; ; attempt++) {
    const current = await client.get(definition, namespace, name);
    if (current === null) throw new Error(`${definition.kind} ${namespace}/${name} not found`);
    const next = structuredClone(current);
    edit(next);
    try {
      return await client.update(definition, next);
    } catch (error) {
      if (attempt > 20 || !isApiStatus(error, 409)) throw error;
    }
  }
}

/** The Events recorded about one object, oldest first ("reason: message"). */
export async function eventsAbout(client: ApiClient, object: JsonObject): Promise<string[]> {
  const { items } = await client.list(eventResource, namespaceOf(object));
  return items
    .filter((event) => (event['involvedObject'] as JsonObject | undefined)?.['uid'] === uidOf(object))
    .map((event) => `${String(event['reason'])}: ${String(event['message'])}`);
}

export function containerImage(object: JsonObject, path: readonly string[] = ['spec']): string {
  let current: unknown = object;
  for (const key of path) current = (current as JsonObject | undefined)?.[key];
  const containers = ((current as JsonObject | undefined)?.['containers'] ?? []) as JsonObject[];
  return String(containers[0]?.['image'] ?? '');
}
