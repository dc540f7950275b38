import { EtcdRequestError } from './etcd-errors.ts';
import type { WireInt64 } from './wire.ts';

/**
 * int64 fields arrive as decimal strings (proto-loader `longs: String`), so nothing is lost in
 * decoding; here they become numbers. Revisions, limits, versions and TTLs live far below 2^53,
 * so a value beyond it is clamped: a huge revision then fails as "future revision" and a huge
 * limit means "no limit", exactly as etcd would answer.
 */
export function int64ToNumber(value: WireInt64 | number): number {
  const parsed = typeof value === 'number' ? value : Number(value);
  if (Number.isSafeInteger(parsed)) return parsed;
  if (Number.isNaN(parsed)) return 0;
  return parsed > 0 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/** Largest lease ID Flotilla issues or accepts: IDs stay exact in a JS number. */
export const leaseIdMax = Number.MAX_SAFE_INTEGER;

/**
 * A lease ID that names an existing lease, or null when it cannot (0, negative, or beyond 2^53:
 * we never issue those, so the lease is certainly not found). Parsed through BigInt so that
 * 2^53 + 1 is not silently rounded onto a real ID.
 */
export function leaseIdFromWire(value: WireInt64): number | null {
  const parsed = BigInt(value);
  if (parsed <= 0n || parsed > BigInt(leaseIdMax)) return null;
  return Number(parsed);
}

/** A lease ID where 0 means "no lease" (put, compare); an impossible one is "lease not found". */
export function optionalLeaseIdFromWire(value: WireInt64): number {
  if (BigInt(value) === 0n) return 0;
  const id = leaseIdFromWire(value);
  if (id === null) throw new EtcdRequestError('leaseNotFound');
  return id;
}

export function uint64FromWire(value: WireInt64): bigint {
  return BigInt.asUintN(64, BigInt(value));
}

export function uint64ToWire(value: bigint): string {
  return BigInt.asUintN(64, value).toString();
}
