import { asArray, asObject, asString, ensureObject, isJsonObject, type JsonObject } from '../json.ts';
import { nodePortRange, reservationKey, serviceCidrText, serviceIpRange, type AllocationRange } from './allocation-ranges.ts';

/** One value an object holds in a range: where it sits, and whether this write picked it. */
export interface AllocationClaim {
  readonly key: string;
  readonly field: string;
  readonly value: string | number;
  /** False: the client asked for this very value (a conflict is then the client's to fix). */
  readonly picked: boolean;
}

/** Picks a free-looking value in a range (the store's reservation then decides). */
export type ValueChooser = (range: AllocationRange) => number | null;

/** A value the client asked for that the range cannot hold. */
export class AllocationRefusal extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

function usesClusterIp(spec: JsonObject): boolean {
  return spec['type'] !== 'ExternalName' && spec['clusterIP'] !== 'None';
}

function usesNodePorts(spec: JsonObject): boolean {
  return spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer';
}

/**
 * Fills a Service's cluster IP and node ports and returns every value it then holds. An update
 * keeps what the stored Service holds (the cluster IP is immutable; a port that keeps its number
 * and protocol keeps its node port, as Kubernetes carries allocated values over); a type change
 * drops what the new type does not use.
 */
export function assignServiceAllocations(object: JsonObject, old: JsonObject | null, choose: ValueChooser): AllocationClaim[] {
  const spec = ensureObject(object, 'spec');
  const oldSpec = asObject(old?.['spec']) ?? {};
  const claims: AllocationClaim[] = [];
  if (usesClusterIp(spec)) {
    const kept = old !== null && usesClusterIp(oldSpec) && (spec['clusterIP'] === undefined || spec['clusterIP'] === '') ? oldSpec['clusterIP'] : spec['clusterIP'];
    claims.push(claim(serviceIpRange, 'spec.clusterIP', kept, asString(oldSpec['clusterIP']), choose, `provided IP is not in the valid range. The range of valid IPs is ${serviceCidrText}`));
    spec['clusterIP'] = claims[claims.length - 1]?.value ?? '';
    spec['clusterIPs'] = [spec['clusterIP']];
  } else if (spec['type'] === 'ExternalName') {
    delete spec['clusterIP'];
    delete spec['clusterIPs'];
  }
  const oldPorts = asArray(oldSpec['ports']).filter(isJsonObject);
  const seen = new Set<number>();
  asArray(spec['ports']).forEach((port, index) => {
    if (!isJsonObject(port)) return;
    if (!usesNodePorts(spec)) {
      delete port['nodePort'];
      return;
    }
    const previous = usesNodePorts(oldSpec) ? oldPorts.find((candidate) => candidate['port'] === port['port'] && (candidate['protocol'] ?? 'TCP') === (port['protocol'] ?? 'TCP')) : undefined;
    const wanted = port['nodePort'] === undefined || port['nodePort'] === 0 ? previous?.['nodePort'] : port['nodePort'];
    const held = typeof previous?.['nodePort'] === 'number' ? previous['nodePort'] : undefined;
    const result = claim(nodePortRange, `spec.ports[${index}].nodePort`, wanted, held, choose, `provided port is not in the valid range. The range of valid ports is ${nodePortRange.first}-${nodePortRange.last}`);
    port['nodePort'] = result.value;
    // One node port may serve the same port number over TCP and UDP: it is held once.
    if (typeof result.value === 'number' && !seen.has(result.value)) claims.push(result);
    if (typeof result.value === 'number') seen.add(result.value);
  });
  return claims;
}

/** The reservation keys of what a stored Service holds. */
export function heldByService(object: JsonObject): string[] {
  const spec = asObject(object['spec']) ?? {};
  const keys = new Set<string>();
  if (usesClusterIp(spec)) {
    const ip = serviceIpRange.parse(spec['clusterIP']);
    if (ip !== null) keys.add(reservationKey(serviceIpRange, ip));
  }
  if (usesNodePorts(spec)) {
    for (const port of asArray(spec['ports'])) {
      const value = nodePortRange.parse(asObject(port)?.['nodePort']);
      if (value !== null) keys.add(reservationKey(nodePortRange, value));
    }
  }
  return [...keys];
}

function claim(range: AllocationRange, field: string, wanted: unknown, held: unknown, choose: ValueChooser, outside: string): AllocationClaim {
  if (wanted !== undefined && wanted !== '' && wanted !== null) {
    const value = range.parse(wanted);
    if (value === null) throw new AllocationRefusal(field, wanted, outside);
    // A value carried over from the stored object was already held: not the client's new ask.
    return { key: reservationKey(range, value), field, value: range.format(value), picked: wanted === held };
  }
  const picked = choose(range);
  if (picked === null) throw new AllocationRefusal(field, null, `failed to allocate a value: range ${range.name} is full`);
  return { key: reservationKey(range, picked), field, value: range.format(picked), picked: true };
}
