import { asNumber, asObject, asString, getPath, objectsIn, type JsonObject, type JsonValue } from '../api/json.ts';
import { fromLabelSelectorObject, type LabelSelector } from '../api/selectors/label-selector.ts';
import { annotationsOf } from '../controller-runtime/index.ts';

/**
 * What the Endpoints and EndpointSlice controllers share, pure: which pods a Service selects, and
 * which port a Service port reaches on a pod (Kubernetes' podutil.FindPort, then the host port the
 * process runtime really listens on).
 */

/** Optional pod annotation (JSON `{"<containerPort>": hostPort}`) by which the process runtime tells where a port really listens. */
export const hostPortsAnnotation = 'flotilla.io/host-ports';

/** A Service port resolved on one pod. */
export interface ResolvedPort {
  /** The Service port's name ("" when unnamed). */
  readonly name: string;
  readonly protocol: string;
  /** Where it listens: the host port from the annotation, else the container port. */
  readonly port: number;
  readonly appProtocol: string | undefined;
}

/** The Service's selector; undefined when it has none (its endpoints are managed by someone else). */
export function serviceSelectorOf(service: JsonObject): LabelSelector | undefined {
  const selector = asObject(getPath(service, ['spec', 'selector']));
  if (selector === undefined || Object.keys(selector).length === 0) return undefined;
  return fromLabelSelectorObject({ matchLabels: selector });
}

/** Containers whose ports a Service may reach: the regular ones and sidecars (init containers with restartPolicy Always). */
function portContainers(pod: JsonObject): JsonObject[] {
  const sidecars = objectsIn(getPath(pod, ['spec', 'initContainers'])).filter((container) => container['restartPolicy'] === 'Always');
  return [...objectsIn(getPath(pod, ['spec', 'containers'])), ...sidecars];
}

/** Kubernetes' FindPort: a numeric targetPort as is; a named one from a container port of that name and protocol. */
export function containerPortFor(servicePort: JsonObject, pod: JsonObject): number | undefined {
  const target = servicePort['targetPort'] ?? servicePort['port'];
  if (typeof target === 'number') return target;
  if (typeof target !== 'string') return undefined;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = asString(servicePort['protocol']) ?? 'TCP';
  for (const container of portContainers(pod)) {
    for (const port of objectsIn(container['ports'])) {
      if (port['name'] === target && (asString(port['protocol']) ?? 'TCP') === protocol) return asNumber(port['containerPort']);
    }
  }
  return undefined;
}

export function hostPortOf(pod: JsonObject, containerPort: number): number {
  const raw = annotationsOf(pod)[hostPortsAnnotation];
  if (raw === undefined) return containerPort;
  try {
    const mapped = asObject(JSON.parse(raw) as JsonValue)?.[String(containerPort)];
    return typeof mapped === 'number' ? mapped : containerPort;
  } catch {
    return containerPort;
  }
}

/** The Service's ports as they are reached on this pod; ports the pod does not expose are left out. */
export function resolveServicePorts(service: JsonObject, pod: JsonObject): ResolvedPort[] {
  return objectsIn(getPath(service, ['spec', 'ports'])).flatMap((servicePort) => {
    const containerPort = containerPortFor(servicePort, pod);
    if (containerPort === undefined) return [];
    return [{
      name: asString(servicePort['name']) ?? '',
      protocol: asString(servicePort['protocol']) ?? 'TCP',
      port: hostPortOf(pod, containerPort),
      appProtocol: asString(servicePort['appProtocol']),
    }];
  });
}
