import { isBeingDeleted, isPodActive, isPodReady, labelsOfObject, nameOf, namespaceOf, stringMap, type JsonObject } from '../../../control-plane/index.ts';
import { recordsAt, stringAt, valueAt } from '../object-fields.ts';
import type { ObservedState } from './observed-state.ts';
import { selectorMatches } from './pod-facts.ts';
import type { Violation } from './violation.ts';

const serviceNameLabel = 'kubernetes.io/service-name';

/** The pod IPs a Service must list as ready: its selector's pods that are Ready, not terminating, with an IP. */
export function expectedReadyAddresses(service: JsonObject, pods: readonly JsonObject[]): string[] {
  const selector = stringMap(valueAt(service, ['spec', 'selector']));
  const addresses = pods
    .filter((pod) => namespaceOf(pod) === namespaceOf(service) && selectorMatches(selector, labelsOfObject(pod)))
    .filter((pod) => isPodActive(pod) && isPodReady(pod))
    .map((pod) => stringAt(pod, ['status', 'podIP']))
    .filter((ip) => ip !== '');
  return [...new Set(addresses)].sort();
}

function selectorServices(state: ObservedState): JsonObject[] {
  return state.services.filter((service) => !isBeingDeleted(service) && Object.keys(stringMap(valueAt(service, ['spec', 'selector']))).length > 0);
}

/** Every selector Service's Endpoints list exactly its ready pods under `addresses`. */
export function checkEndpoints(state: ObservedState): Violation[] {
  if (!state.controllers.has('endpoints')) return [];
  const violations: Violation[] = [];
  for (const service of selectorServices(state)) {
    const expected = expectedReadyAddresses(service, state.pods);
    const endpoints = state.endpoints.find((item) => namespaceOf(item) === namespaceOf(service) && nameOf(item) === nameOf(service));
    const listed = endpoints === undefined ? [] : recordsAt(endpoints, ['subsets']).flatMap((subset) => recordsAt(subset, ['addresses']).map((address) => stringAt(address, ['ip'])));
    const problem = endpoints === undefined ? 'no Endpoints object' : differs(expected, listed);
    if (problem !== '') violations.push({ property: 'endpoints-match', message: `Service ${namespaceOf(service)}/${nameOf(service)}: ${problem}` });
  }
  return violations;
}

/** When the EndpointSlice controller runs: every selector Service's slices list exactly its ready pods as ready endpoints. */
export function checkEndpointSlices(state: ObservedState): Violation[] {
  if (!state.controllers.has('endpointslice')) return [];
  const violations: Violation[] = [];
  for (const service of selectorServices(state)) {
    const slices = state.endpointSlices.filter((slice) => namespaceOf(slice) === namespaceOf(service) && labelsOfObject(slice)[serviceNameLabel] === nameOf(service) && !isBeingDeleted(slice));
    const listed = slices.flatMap((slice) => recordsAt(slice, ['endpoints']))
      .filter((endpoint) => valueAt(endpoint, ['conditions', 'ready']) === true)
      .flatMap((endpoint) => {
        const addresses = valueAt(endpoint, ['addresses']);
        return Array.isArray(addresses) ? addresses.filter((address): address is string => typeof address === 'string') : [];
      });
    const problem = differs(expectedReadyAddresses(service, state.pods), listed);
    if (problem !== '') violations.push({ property: 'endpoint-slices-match', message: `Service ${namespaceOf(service)}/${nameOf(service)} slices: ${problem}` });
  }
  return violations;
}

function differs(expected: readonly string[], listed: readonly string[]): string {
  const listedSet = new Set(listed);
  const expectedSet = new Set(expected);
  const missing = expected.filter((ip) => !listedSet.has(ip));
  const extra = [...listedSet].filter((ip) => !expectedSet.has(ip)).sort();
  const duplicated = listed.length !== listedSet.size;
  if (missing.length === 0 && extra.length === 0 && !duplicated) return '';
  return [missing.length > 0 ? `missing ready ${missing.join(', ')}` : '', extra.length > 0 ? `lists ${extra.join(', ')} which are not ready pods` : '', duplicated ? 'an address listed twice' : '']
    .filter((part) => part !== '').join('; ');
}
