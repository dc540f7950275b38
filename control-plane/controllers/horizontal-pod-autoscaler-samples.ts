import { asObject, asString, getPath, objectsIn, type JsonObject, type JsonValue } from '../api/json.ts';
import { parseDurationMs } from '../api/registry/kinds/resource-metrics-shared.ts';
import { findCondition, isBeingDeleted, nameOf, parseTimeMs, podPhase } from '../controller-runtime/index.ts';
import { milliCpu, parseQuantity } from '../scheduler/index.ts';
import type { AutoscalerInput, PodUsage } from './horizontal-pod-autoscaler-plan.ts';
import type { ResourceName } from './horizontal-pod-autoscaler-replicas.ts';

/** Readers of pods and PodMetrics into what the autoscaler's plan takes. Pure. */

/**
 * PodMetrics older than this are taken as missing: metrics-server only ever serves its latest
 * scrape, while a stored PodMetrics stays when its agent stops writing (a dead node).
 */
export const podMetricsMaxAgeMs = 120_000;

const resources: readonly ResourceName[] = ['cpu', 'memory'];

/** A quantity in milli-units, as Kubernetes' MilliValue (cpu rounded up to whole millicores). */
export function quantityMilli(resource: ResourceName, value: JsonValue | undefined): number | undefined {
  if (value === undefined || parseQuantity(value) === undefined) return undefined;
  return resource === 'cpu' ? milliCpu(value) : Math.ceil((parseQuantity(value) ?? 0) * 1000);
}

/** The pod's request of each resource, summed over its containers; a container without one is named instead. */
export function podRequestsMilli(pod: JsonObject): Record<ResourceName, number | { readonly missingIn: string }> {
  const result: Record<ResourceName, number | { readonly missingIn: string }> = { cpu: 0, memory: 0 };
  for (const container of objectsIn(getPath(pod, ['spec', 'containers']))) {
    for (const resource of resources) {
      const sum = result[resource];
      if (typeof sum !== 'number') continue;
      // API defaulting copies a limit into an absent request; read it the same way.
      const request = quantityMilli(resource, asObject(getPath(container, ['resources', 'requests']))?.[resource] ?? asObject(getPath(container, ['resources', 'limits']))?.[resource]);
      result[resource] = request === undefined ? { missingIn: asString(container['name']) ?? '' } : sum + request;
    }
  }
  return result;
}

export function podFactsOf(pod: JsonObject): AutoscalerInput['pods'][number] {
  const ready = findCondition(getPath(pod, ['status', 'conditions']), 'Ready');
  return {
    name: nameOf(pod),
    phase: podPhase(pod),
    beingDeleted: isBeingDeleted(pod),
    ready: ready === undefined ? undefined : { status: asString(ready['status']) ?? 'Unknown', lastTransitionMs: parseTimeMs(ready['lastTransitionTime']) ?? 0 },
    startMs: parseTimeMs(getPath(pod, ['status', 'startTime'])),
    requestsMilli: podRequestsMilli(pod),
  };
}

/** A PodMetrics' usage summed over its containers, or undefined when it has none or is too old to trust. */
export function podUsageOf(podMetrics: JsonObject, nowMs: number): PodUsage | undefined {
  const containers = objectsIn(podMetrics['containers']);
  const timestampMs = parseTimeMs(podMetrics['timestamp']);
  if (containers.length === 0 || timestampMs === undefined || nowMs - timestampMs > podMetricsMaxAgeMs) return undefined;
  const usageMilli: Record<ResourceName, number> = { cpu: 0, memory: 0 };
  for (const container of containers) {
    for (const resource of resources) usageMilli[resource] += quantityMilli(resource, asObject(container['usage'])?.[resource]) ?? 0;
  }
  return { timestampMs, windowMs: parseDurationMs(asString(podMetrics['window']) ?? '') ?? 0, usageMilli };
}
