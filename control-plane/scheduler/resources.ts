import { asObject, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { bytes, milliCpu, parseQuantity } from './quantity.ts';

export interface Resources {
  readonly milliCpu: number;
  readonly memoryBytes: number;
  readonly pods: number;
}

export const zeroResources: Resources = { milliCpu: 0, memoryBytes: 0, pods: 0 };

/** Kubernetes' scoring assumes this much for a container that requests nothing (so zero-request pods still spread). */
export const nonZeroDefaults = { milliCpu: 100, memoryBytes: 200 * 1024 * 1024 } as const;

export function addResources(left: Resources, right: Resources): Resources {
  return { milliCpu: left.milliCpu + right.milliCpu, memoryBytes: left.memoryBytes + right.memoryBytes, pods: left.pods + right.pods };
}

export function subtractResources(left: Resources, right: Resources): Resources {
  return { milliCpu: left.milliCpu - right.milliCpu, memoryBytes: left.memoryBytes - right.memoryBytes, pods: left.pods - right.pods };
}

/** A container's request for a resource: its request, or its limit when only a limit is set (API defaulting). */
function containerRequest(container: JsonObject, resource: 'cpu' | 'memory'): unknown {
  return asObject(getPath(container, ['resources', 'requests']))?.[resource] ?? asObject(getPath(container, ['resources', 'limits']))?.[resource];
}

/**
 * A pod's effective request (Kubernetes' computePodResourceRequest): the sum over its containers,
 * at least the largest init container (they run one at a time, before), plus the pod overhead.
 * `nonZero` replaces absent requests with the scoring defaults.
 */
export function podRequests(pod: JsonObject, nonZero = false): Resources {
  let cpu = 0;
  let memory = 0;
  for (const container of objectsIn(getPath(pod, ['spec', 'containers']))) {
    const cpuRequest = containerRequest(container, 'cpu');
    const memoryRequest = containerRequest(container, 'memory');
    cpu += cpuRequest === undefined && nonZero ? nonZeroDefaults.milliCpu : milliCpu(cpuRequest);
    memory += memoryRequest === undefined && nonZero ? nonZeroDefaults.memoryBytes : bytes(memoryRequest);
  }
  for (const container of objectsIn(getPath(pod, ['spec', 'initContainers']))) {
    cpu = Math.max(cpu, milliCpu(containerRequest(container, 'cpu')));
    memory = Math.max(memory, bytes(containerRequest(container, 'memory')));
  }
  const overhead = asObject(getPath(pod, ['spec', 'overhead'])) ?? {};
  return { milliCpu: cpu + milliCpu(overhead['cpu']), memoryBytes: memory + bytes(overhead['memory']), pods: 1 };
}

/** What a node offers to pods: status.allocatable, else status.capacity. */
export function nodeAllocatable(node: JsonObject): Resources {
  const allocatable = asObject(getPath(node, ['status', 'allocatable'])) ?? asObject(getPath(node, ['status', 'capacity'])) ?? {};
  return { milliCpu: milliCpu(allocatable['cpu']), memoryBytes: bytes(allocatable['memory']), pods: Math.floor(parseQuantity(allocatable['pods']) ?? 0) };
}
