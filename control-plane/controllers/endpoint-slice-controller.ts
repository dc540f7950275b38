import type { Logger } from '../../common/index.ts';
import { asString, getPath, type JsonObject } from '../api/json.ts';
import { endpointSliceResource } from '../api/registry/kinds/endpoint-slice.ts';
import { nodeResource } from '../api/registry/kinds/node.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { serviceResource } from '../api/registry/kinds/service.ts';
import {
  controllerOf, controllerReference, defaultControllerWorkers, defaultResyncPeriodMs, keyOf, labelsOfObject, namespaceOf, newWorkQueue, objectKeyFor,
  runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { serviceSelectorOf } from './endpoint-ports.ts';
import {
  endpointSliceControllerName, existingSliceView, managedByLabel, planEndpointSlices, serviceNameLabel, type EndpointSlicePlan, type SliceContent,
} from './endpoint-slice-plan.ts';
import { observeDeletion } from './observe-deletion.ts';
import { enqueueServicesOnPodChange, podsSelected } from './service-pods.ts';

/** Slice writes per reconcile; the rest waits for the next pass (a Service of 10 000 pods needs 100 slices). */
export const endpointSliceWritesMax = 50;
const serviceIndex = 'endpointslice-service';
const zoneLabel = 'topology.kubernetes.io/zone';

export const endpointSliceControllerFactory: ControllerFactory = (context) => new EndpointSliceController(context);

/** Our slices are indexed by the `namespace/name` of their Service (from the service-name label). */
function managedSliceService(slice: JsonObject): string[] {
  const labels = labelsOfObject(slice);
  const service = labels[serviceNameLabel];
  return labels[managedByLabel] === endpointSliceControllerName && service !== undefined ? [objectKeyFor(namespaceOf(slice), service)] : [];
}

/**
 * Keeps the EndpointSlices of each selector Service equal to its matching pods (Kubernetes'
 * endpointslice controller): ≤ 100 endpoints per slice, conditions ready / serving / terminating,
 * ports by number or name and the process runtime's host ports, owner reference to the Service.
 */
export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  private readonly queue: WorkQueue;
  private readonly services: Informer;
  private readonly pods: Informer;
  private readonly slices: Informer;
  private readonly nodes: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.services = context.informers.informerFor(serviceResource);
    this.pods = context.informers.informerFor(podResource);
    this.slices = context.informers.informerFor(endpointSliceResource);
    this.nodes = context.informers.informerFor(nodeResource);
    this.slices.addIndex(serviceIndex, managedSliceService);
    this.services.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.slices.addHandler((change) => {
      for (const key of managedSliceService(change.object)) this.queue.add(key);
    });
    enqueueServicesOnPodChange(this.services, this.pods, this.queue);
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.services.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  private zoneOfNode = (node: string): string | undefined => labelsOfObject(this.nodes.cache.get(node) ?? {})[zoneLabel];

  async reconcile(key: string): Promise<ReconcileResult> {
    const service = this.services.cache.get(key);
    // A deleted Service's slices go with it (owner reference, garbage collector).
    if (service === undefined || getPath(service, ['spec', 'type']) === 'ExternalName') return undefined;
    // A Service without a selector has slices managed by someone else.
    const selector = serviceSelectorOf(service);
    if (selector === undefined) return undefined;
    const pods = podsSelected(this.pods, namespaceOf(service), selector);
    // Slices of an earlier Service of the same name are the garbage collector's, not ours to reuse.
    const existing = this.slices.cache.byIndex(serviceIndex, key).filter((slice) => controllerOf(slice)?.uid === uidOf(service));
    const plan = planEndpointSlices(service, pods, existing.map(existingSliceView), this.zoneOfNode);
    const writes = [
      ...plan.deleteNames.map((name) => () => this.deleteSlice(service, name)),
      ...plan.update.map((slice) => () => this.updateSlice(service, slice.name, slice, plan)),
      ...plan.create.map((slice) => () => this.createSlice(service, slice, plan)),
    ];
    // A 409 (stale cache) fails the reconcile; the queue retries on fresher state.
    await Promise.all(writes.slice(0, endpointSliceWritesMax).map((write) => write()));
    return writes.length > endpointSliceWritesMax ? { requeueAfterMs: 0 } : undefined;
  }

  private sliceBody(service: JsonObject, content: SliceContent, plan: EndpointSlicePlan): JsonObject {
    return { addressType: 'IPv4', endpoints: [...content.endpoints], ports: [...content.ports], metadata: { labels: { ...plan.labels }, ownerReferences: [controllerReference(service, serviceResource)] } };
  }

  private async createSlice(service: JsonObject, content: SliceContent, plan: EndpointSlicePlan): Promise<void> {
    const body = this.sliceBody(service, content, plan);
    // Kubernetes: generateName `<service>-` (the API cuts a long prefix so the name stays valid).
    const metadata = { ...(body['metadata'] as JsonObject), generateName: `${asString(getPath(service, ['metadata', 'name'])) ?? ''}-`, namespace: namespaceOf(service) };
    this.slices.observe(await this.context.client.create(endpointSliceResource, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...body, metadata }));
  }

  private async updateSlice(service: JsonObject, name: string, content: SliceContent, plan: EndpointSlicePlan): Promise<void> {
    const current = this.slices.cache.get(objectKeyFor(namespaceOf(service), name));
    if (current === undefined) return;
    const body = this.sliceBody(service, content, plan);
    const metadata = { ...(current['metadata'] as JsonObject), labels: { ...plan.labels } };
    this.slices.observe(await this.context.client.update(endpointSliceResource, { ...current, ...body, metadata }));
  }

  private async deleteSlice(service: JsonObject, name: string): Promise<void> {
    const current = this.slices.cache.get(objectKeyFor(namespaceOf(service), name));
    if (current === undefined) return;
    observeDeletion(this.slices, await this.context.client.delete(endpointSliceResource, namespaceOf(service), name, { uid: uidOf(current) }));
  }
}
