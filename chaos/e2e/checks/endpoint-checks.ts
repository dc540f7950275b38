import { isBeingDeleted, labelsOfObject, nameOf, type JsonObject } from '../../../control-plane/index.ts';
import { numberAt, recordsAt, stringAt, valueAt } from '../../control-plane-sim/object-fields.ts';
import { workloadNames } from '../plan.ts';
import type { ObservedCluster } from './observed-cluster.ts';
import { podsLabelled, readyEndpointKeys } from './pod-readers.ts';
import type { E2eViolation } from './violation.ts';

const serviceNameLabel = 'kubernetes.io/service-name';

/**
 * Every Service the operator declared lists exactly its ready pods, at the host ports their
 * processes listen on, in its Endpoints (under `addresses`) and in its EndpointSlices (as
 * `ready`). All pods share the host's IP on the process runtime, so an endpoint is told apart by
 * its targetRef uid and port: `uid:port`.
 */
export function checkServiceEndpoints(state: ObservedCluster): E2eViolation[] {
  const violations: E2eViolation[] = [];
  workloadNames.forEach((name, slot) => {
    if (state.declared.services[slot] !== true) return;
    const label = `Service ${state.namespace}/${name}`;
    const service = state.services.find((candidate) => nameOf(candidate) === name);
    if (service === undefined || isBeingDeleted(service)) {
      violations.push({ property: 'declared-state-kept', message: `${label} was applied but is ${service === undefined ? 'gone' : 'being deleted'}` });
      return;
    }
    const expected = readyEndpointKeys(podsLabelled(state, name));
    const endpoints = state.endpoints.find((candidate) => nameOf(candidate) === name);
    const endpointsProblem = endpoints === undefined ? 'no Endpoints object' : setDifference(expected, endpointsReadyKeys(endpoints));
    if (endpointsProblem !== '') violations.push({ property: 'endpoints-match', message: `${label} Endpoints: ${endpointsProblem}` });
    const slices = slicesOf(state, name);
    // An empty Service may or may not keep a placeholder slice (Kubernetes does); a missing slice matters only when pods are ready.
    const slicesProblem = slices.length === 0 && expected.length > 0 ? 'no EndpointSlice' : setDifference(expected, slices.flatMap(sliceReadyKeys));
    if (slicesProblem !== '') violations.push({ property: 'endpoint-slices-match', message: `${label} EndpointSlices: ${slicesProblem}` });
  });
  return violations;
}

/** A Service the operator deleted (or never applied) leaves no Endpoints or EndpointSlices behind. */
export function checkDeletedServices(state: ObservedCluster): E2eViolation[] {
  const violations: E2eViolation[] = [];
  workloadNames.forEach((name, slot) => {
    if (state.declared.services[slot] === true) return;
    const label = `Service ${state.namespace}/${name}`;
    const service = state.services.find((candidate) => nameOf(candidate) === name && !isBeingDeleted(candidate));
    if (service !== undefined) violations.push({ property: 'declared-state-kept', message: `${label} is not declared (deleted, or never applied) but is there` });
    const leftovers = [
      ...state.endpoints.filter((candidate) => nameOf(candidate) === name).map((object) => `Endpoints ${nameOf(object)}`),
      ...slicesOf(state, name).map((object) => `EndpointSlice ${nameOf(object)}`),
    ];
    if (leftovers.length > 0) violations.push({ property: 'deleted-service-endpoints-gone', message: `${label} is not declared but ${leftovers.join(', ')} remain` });
  });
  return violations;
}

function slicesOf(state: ObservedCluster, serviceName: string): JsonObject[] {
  return state.endpointSlices.filter((slice) => labelsOfObject(slice)[serviceNameLabel] === serviceName && !isBeingDeleted(slice));
}

export function endpointsReadyKeys(endpoints: JsonObject): string[] {
  return recordsAt(endpoints, ['subsets']).flatMap((subset) => {
    const port = numberAt(recordsAt(subset, ['ports'])[0] ?? {}, ['port']) ?? 0;
    return recordsAt(subset, ['addresses']).map((address) => `${stringAt(address, ['targetRef', 'uid'])}:${port}`);
  });
}

export function sliceReadyKeys(slice: JsonObject): string[] {
  const port = numberAt(recordsAt(slice, ['ports'])[0] ?? {}, ['port']) ?? 0;
  return recordsAt(slice, ['endpoints'])
    .filter((endpoint) => valueAt(endpoint, ['conditions', 'ready']) === true)
    .map((endpoint) => `${stringAt(endpoint, ['targetRef', 'uid'])}:${port}`);
}

/** Empty when `listed` holds exactly `expected`, once each; else what is missing, extra or doubled. */
export function setDifference(expected: readonly string[], listed: readonly string[]): string {
  const listedSet = new Set(listed);
  const expectedSet = new Set(expected);
  const missing = [...expectedSet].filter((key) => !listedSet.has(key)).sort();
  const extra = [...listedSet].filter((key) => !expectedSet.has(key)).sort();
  const doubled = listed.length !== listedSet.size;
  return [
    missing.length > 0 ? `missing ready pods ${missing.join(', ')}` : '',
    extra.length > 0 ? `lists ${extra.join(', ')}, which are not ready pods` : '',
    doubled ? 'an endpoint listed twice' : '',
  ].filter((part) => part !== '').join('; ');
}
