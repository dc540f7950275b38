import { asString, getPath, jsonEqual, objectsIn, type JsonObject } from '../api/json.ts';
import { isBeingDeleted, isPodReady, labelsOfObject, nameOf, namespaceOf, nodeNameOf, podPhase, uidOf } from '../controller-runtime/index.ts';
import { resolveServicePorts } from './endpoint-ports.ts';

export const serviceNameLabel = 'kubernetes.io/service-name';
export const managedByLabel = 'endpointslice.kubernetes.io/managed-by';
export const endpointSliceControllerName = 'endpointslice-controller.k8s.io';
const headlessLabel = 'service.kubernetes.io/headless';
/** Kubernetes' --max-endpoints-per-slice default. */
export const endpointsPerSliceMax = 100;

/** One slice's content: the port mapping its endpoints share, and the endpoints. */
export interface SliceContent {
  readonly ports: readonly JsonObject[];
  readonly endpoints: readonly JsonObject[];
}

export interface ExistingSlice extends SliceContent {
  readonly name: string;
  readonly addressType: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface EndpointSlicePlan {
  readonly create: readonly SliceContent[];
  readonly update: readonly (SliceContent & { readonly name: string })[];
  readonly deleteNames: readonly string[];
  /** The labels every managed slice of the Service carries. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Kubernetes' setEndpointSliceLabels: the Service's labels, the service name, our manager name, headless. */
export function sliceLabelsFor(service: JsonObject): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(labelsOfObject(service))) if (key !== serviceNameLabel && key !== managedByLabel) labels[key] = value;
  if (getPath(service, ['spec', 'clusterIP']) === 'None') labels[headlessLabel] = '';
  labels[serviceNameLabel] = nameOf(service);
  labels[managedByLabel] = endpointSliceControllerName;
  return labels;
}

function isIPv4(address: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
}

/**
 * Kubernetes' podToEndpoint: terminating pods stay (EndpointSlices carry them) with ready=false,
 * serving = their readiness, terminating=true; ready is always true with publishNotReadyAddresses.
 */
export function endpointFor(service: JsonObject, pod: JsonObject, zoneOfNode: (node: string) => string | undefined): JsonObject {
  const serving = isPodReady(pod);
  const terminating = isBeingDeleted(pod);
  const ready = getPath(service, ['spec', 'publishNotReadyAddresses']) === true || (serving && !terminating);
  const endpoint: JsonObject = {
    addresses: [asString(getPath(pod, ['status', 'podIP'])) ?? ''],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: namespaceOf(pod), name: nameOf(pod), uid: uidOf(pod) },
  };
  const node = nodeNameOf(pod);
  if (node !== '') endpoint['nodeName'] = node;
  const zone = node === '' ? undefined : zoneOfNode(node);
  if (zone !== undefined && zone !== '') endpoint['zone'] = zone;
  const hostname = asString(getPath(pod, ['spec', 'hostname'])) ?? '';
  if (hostname !== '' && getPath(pod, ['spec', 'subdomain']) === nameOf(service)) endpoint['hostname'] = hostname;
  return endpoint;
}

function slicePorts(service: JsonObject, pod: JsonObject): JsonObject[] {
  return resolveServicePorts(service, pod).map((resolved) => {
    const port: JsonObject = { name: resolved.name, protocol: resolved.protocol, port: resolved.port };
    if (resolved.appProtocol !== undefined) port['appProtocol'] = resolved.appProtocol;
    return port;
  });
}

/** Wanted endpoints grouped by port mapping (Kubernetes gives each mapping its own slices). */
export function desiredEndpoints(service: JsonObject, pods: readonly JsonObject[], zoneOfNode: (node: string) => string | undefined): Map<string, SliceContent> {
  const groups = new Map<string, { ports: JsonObject[]; endpoints: JsonObject[] }>();
  for (const pod of [...pods].sort((left, right) => (nameOf(left) < nameOf(right) ? -1 : nameOf(left) > nameOf(right) ? 1 : 0))) {
    const ip = asString(getPath(pod, ['status', 'podIP'])) ?? '';
    if (!isIPv4(ip) || podPhase(pod) === 'Succeeded' || podPhase(pod) === 'Failed') continue;
    const ports = slicePorts(service, pod);
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, endpoints: [] };
    groups.set(key, group);
    group.endpoints.push(endpointFor(service, pod, zoneOfNode));
  }
  return groups;
}

/** An endpoint's identity across slices: the pod it stands for (else its address). */
function endpointKey(endpoint: JsonObject): string {
  return asString(getPath(endpoint, ['targetRef', 'uid'])) ?? JSON.stringify(endpoint['addresses'] ?? null);
}

interface Working {
  readonly name: string;
  endpoints: JsonObject[];
  changed: boolean;
}

/** One port mapping: keep endpoints where they are (updated), drop the unwanted, fill free room, then new slices. */
function planMapping(wanted: SliceContent, existing: readonly ExistingSlice[], slicesMax: number): { working: Working[]; created: SliceContent[] } {
  const byKey = new Map(wanted.endpoints.map((endpoint) => [endpointKey(endpoint), endpoint]));
  const placed = new Set<string>();
  const working = existing.map((slice): Working => {
    const endpoints = slice.endpoints.flatMap((endpoint) => {
      const key = endpointKey(endpoint);
      const fresh = byKey.get(key);
      if (fresh === undefined || placed.has(key)) return [];
      placed.add(key);
      return [fresh];
    });
    return { name: slice.name, endpoints, changed: !jsonEqual(endpoints, [...slice.endpoints]) };
  });
  const remaining = wanted.endpoints.filter((endpoint) => !placed.has(endpointKey(endpoint)));
  // Slices that change anyway take new endpoints first (one write either way), then the others.
  const withRoom = [...working.filter((slice) => slice.changed && slice.endpoints.length > 0), ...working.filter((slice) => !slice.changed)];
  for (const slice of withRoom) {
    while (remaining.length > 0 && slice.endpoints.length < slicesMax) {
      slice.endpoints.push(remaining.shift() as JsonObject);
      slice.changed = true;
    }
  }
  const created: SliceContent[] = [];
  for (let start = 0; start < remaining.length; start += slicesMax) created.push({ ports: wanted.ports, endpoints: remaining.slice(start, start + slicesMax) });
  return { working, created };
}

function isPlaceholder(slice: SliceContent): boolean {
  return slice.endpoints.length === 0 && slice.ports.length === 0;
}

/**
 * The EndpointSlices of one Service, pure (Kubernetes' endpointslice reconciler, simplified): per
 * port mapping, endpoints stay in the slice that holds them, slices fill up to `slicesMax`, new
 * slices take the rest, emptied and foreign-mapping slices go; a Service without endpoints keeps
 * one empty placeholder slice. Only IPv4 pod addresses.
 */
export function planEndpointSlices(service: JsonObject, pods: readonly JsonObject[], existing: readonly ExistingSlice[], zoneOfNode: (node: string) => string | undefined, slicesMax = endpointsPerSliceMax): EndpointSlicePlan {
  const labels = sliceLabelsFor(service);
  const wanted = desiredEndpoints(service, pods, zoneOfNode);
  const create: SliceContent[] = [];
  const update: (SliceContent & { name: string })[] = [];
  const deleteNames: string[] = [];
  const sorted = [...existing].sort((left, right) => (left.name < right.name ? -1 : 1));
  for (const slice of sorted) if (slice.addressType !== 'IPv4' || !wanted.has(JSON.stringify(slice.ports))) deleteNames.push(slice.name);
  for (const [key, content] of wanted) {
    const { working, created } = planMapping(content, sorted.filter((slice) => slice.addressType === 'IPv4' && JSON.stringify(slice.ports) === key), slicesMax);
    create.push(...created);
    for (const slice of working) {
      const labelsChanged = !jsonEqual(labels, { ...(sorted.find((item) => item.name === slice.name)?.labels ?? {}) });
      if (slice.endpoints.length === 0) deleteNames.push(slice.name);
      else if (slice.changed || labelsChanged) update.push({ name: slice.name, ports: content.ports, endpoints: slice.endpoints });
    }
  }
  if (update.length === 0 && create.length === 0 && deleteNames.length === existing.length) {
    const placeholder = sorted.find((slice) => isPlaceholder(slice) && slice.addressType === 'IPv4');
    if (placeholder === undefined) create.push({ ports: [], endpoints: [] });
    else {
      deleteNames.splice(deleteNames.indexOf(placeholder.name), 1);
      if (!jsonEqual(labels, { ...placeholder.labels })) update.push({ name: placeholder.name, ports: [], endpoints: [] });
    }
  }
  return { create, update, deleteNames, labels };
}

/** Reads a stored EndpointSlice into the plan's view. */
export function existingSliceView(slice: JsonObject): ExistingSlice {
  return {
    name: nameOf(slice), addressType: asString(slice['addressType']) ?? '', labels: labelsOfObject(slice),
    ports: objectsIn(slice['ports']), endpoints: objectsIn(slice['endpoints']),
  };
}
