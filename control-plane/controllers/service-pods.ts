import type { JsonObject } from '../api/json.ts';
import { matchesLabels, type LabelSelector } from '../api/selectors/label-selector.ts';
import { keyOf, labelsOfObject, namespaceOf, type Informer, type WorkQueue } from '../controller-runtime/index.ts';
import { serviceSelectorOf } from './endpoint-ports.ts';

/**
 * How the Endpoints and EndpointSlice controllers follow a selector Service's pods: Services and
 * pods indexed by namespace; a pod change enqueues every Service that selects the pod as it is or
 * as it was (a relabelled pod leaves one Service and joins another).
 */

const namespaceIndex = 'namespace';

export function enqueueServicesOnPodChange(services: Informer, pods: Informer, queue: WorkQueue): void {
  services.addIndex(namespaceIndex, (object) => [namespaceOf(object)]);
  pods.addIndex(namespaceIndex, (object) => [namespaceOf(object)]);
  pods.addHandler((change) => {
    for (const pod of [change.object, change.previous]) {
      if (pod === undefined) continue;
      for (const service of services.cache.byIndex(namespaceIndex, namespaceOf(pod))) {
        const selector = serviceSelectorOf(service);
        if (selector !== undefined && matchesLabels(selector, labelsOfObject(pod))) queue.add(keyOf(service));
      }
    }
  });
}

/** The pods of `namespace` that `selector` selects (after enqueueServicesOnPodChange made the index). */
export function podsSelected(pods: Informer, namespace: string, selector: LabelSelector): JsonObject[] {
  return pods.cache.byIndex(namespaceIndex, namespace).filter((pod) => matchesLabels(selector, labelsOfObject(pod)));
}
