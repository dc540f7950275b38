/**
 * The value ranges the API server hands out, one holder per value: Service cluster IPs from the
 * service CIDR and node ports from the node-port range (Kubernetes' defaults). A value held is a
 * reservation key in the store, outside `/registry/<group>/<plural>/` so no kind ever lists it.
 */
export interface AllocationRange {
  readonly name: string;
  /** Values are numbers in [first, last]; `format` turns one into what the object carries. */
  readonly first: number;
  readonly last: number;
  format(value: number): string | number;
  /** The number for a value an object carries, or null when it is outside the range. */
  parse(value: unknown): number | null;
}

export const reservationPrefix = '/flotilla/allocations/';

export function reservationKey(range: AllocationRange, value: number): string {
  return `${reservationPrefix}${range.name}/${String(range.format(value))}`;
}

export function rangePrefix(range: AllocationRange): string {
  return `${reservationPrefix}${range.name}/`;
}

/** Kubernetes' default --service-cluster-ip-range. */
export const serviceCidr = { base: [10, 96, 0, 0] as const, prefixLength: 12 } as const;

function ipToNumber(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

function numberToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

const cidrBase = serviceCidr.base.reduce((total: number, octet: number) => total * 256 + octet, 0);
const cidrSize = 2 ** (32 - serviceCidr.prefixLength);

/**
 * Offsets inside the service CIDR: the network address and the broadcast address are never
 * handed out, and the first address (10.96.0.1) is the `kubernetes` Service's, as in Kubernetes.
 */
export const serviceIpRange: AllocationRange = {
  name: 'service-ips',
  first: cidrBase + 2,
  last: cidrBase + cidrSize - 2,
  format: numberToIp,
  parse: (value) => {
    if (typeof value !== 'string') return null;
    const number = ipToNumber(value);
    return number !== null && number >= cidrBase + 1 && number <= cidrBase + cidrSize - 2 ? number : null;
  },
};

export const serviceCidrText = `${serviceCidr.base.join('.')}/${serviceCidr.prefixLength}`;

/** Kubernetes' default --service-node-port-range. */
export const nodePortRange: AllocationRange = {
  name: 'node-ports',
  first: 30000,
  last: 32767,
  format: (value) => value,
  parse: (value) => (typeof value === 'number' && Number.isInteger(value) && value >= 30000 && value <= 32767 ? value : null),
};
