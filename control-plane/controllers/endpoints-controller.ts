import type { Logger } from '../../common/index.ts';
import { asString, getPath, jsonEqual, objectsIn, type JsonObject } from '../api/json.ts';
import { endpointsResource } from '../api/registry/kinds/endpoints.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { serviceResource } from '../api/registry/kinds/service.ts';
import {
  defaultControllerWorkers, defaultResyncPeriodMs, isPodReady, keyOf, labelsOfObject, nameOf, namespaceOf, newWorkQueue, nodeNameOf, objectKeyFor, podPhase, runReconcileLoop, splitKey, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { resolveServicePorts, serviceSelectorOf } from './endpoint-ports.ts';
import { enqueueServicesOnPodChange, podsSelected } from './service-pods.ts';

// Re-exported for the modules that import it from here.
export { hostPortsAnnotation } from './endpoint-ports.ts';

export const endpointsControllerFactory: ControllerFactory = (context) => new EndpointsController(context);

/**
 * Endpoints subsets for a Service, pure: pods with an IP, grouped by their resolved ports; ready pods
 * under `addresses`, others (not ready, or terminating) under `notReadyAddresses`.
 */
export function planEndpoints(service: JsonObject, pods: readonly JsonObject[]): JsonObject[] {
  const groups = new Map<string, { ports: JsonObject[]; ready: JsonObject[]; notReady: JsonObject[] }>();
  for (const pod of [...pods].sort((left, right) => (nameOf(left) < nameOf(right) ? -1 : 1))) {
    const ip = asString(getPath(pod, ['status', 'podIP'])) ?? '';
    if (ip === '' || podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed') continue;
    const ports = resolveServicePorts(service, pod).map((resolved) => {
      const entry: JsonObject = { port: resolved.port, protocol: resolved.protocol };
      if (resolved.name !== '') entry['name'] = resolved.name;
      return entry;
    });
    const id = JSON.stringify(ports);
    const group = groups.get(id) ?? { ports, ready: [], notReady: [] };
    groups.set(id, group);
    const address: JsonObject = { ip, targetRef: { kind: 'Pod', namespace: namespaceOf(pod), name: nameOf(pod), uid: uidOf(pod) } };
    if (nodeNameOf(pod) !== '') address['nodeName'] = nodeNameOf(pod);
    (isPodReady(pod) && getPath(pod, ['metadata', 'deletionTimestamp']) === undefined ? group.ready : group.notReady).push(address);
  }
  return [...groups.values()].map((group) => {
    const subset: JsonObject = { ports: group.ports };
    if (group.ready.length > 0) subset['addresses'] = group.ready;
    if (group.notReady.length > 0) subset['notReadyAddresses'] = group.notReady;
    return subset;
  });
}

/** Keeps each selector Service's Endpoints equal to its matching pods (the EndpointSlice controller keeps its slices). */
export class EndpointsController implements Controller {
  readonly name = 'endpoints';
  private readonly queue: WorkQueue;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly endpoints: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.services = context.informers.informerFor(serviceResource);
    this.pods = context.informers.informerFor(podResource);
    this.endpoints = context.informers.informerFor(endpointsResource);
    this.services.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.endpoints.addHandler((change) => this.queue.add(keyOf(change.object)));
    enqueueServicesOnPodChange(this.services, this.pods, this.queue);
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.services.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const { namespace, name } = splitKey(key);
    const service = this.services.cache.get(key);
    const current = this.endpoints.cache.get(objectKeyFor(namespace, name));
    if (service === undefined) {
      if (current !== undefined) await this.context.client.delete(endpointsResource, namespace, name, { uid: uidOf(current) });
      return undefined;
    }
    // A Service without a selector has Endpoints managed by someone else.
    const requirements = serviceSelectorOf(service);
    if (requirements === undefined) return undefined;
    const pods = podsSelected(this.pods, namespace, requirements);
    const subsets = planEndpoints(service, pods);
    if (current !== undefined && jsonEqual(objectsIn(current['subsets']), subsets)) return undefined;
    // A 409 (stale cache, or created meanwhile) is retried by the queue on fresher state.
    const written = current === undefined
      ? await this.context.client.create(endpointsResource, { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels: labelsOfObject(service) }, subsets })
      : await this.context.client.update(endpointsResource, { ...current, subsets });
    this.endpoints.observe(written);
    return undefined;
  }
}
