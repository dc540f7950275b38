/**
 * Byte-level encodings. User keys are bytes; in memory they are kept as latin1 strings (one char
 * per byte) because JS compares strings by UTF-16 code unit, which for chars 0–255 is exactly
 * byte order — so a sorted array of such strings is a sorted array of keys, and they make good Map keys.
 */

/** A point in the history: `main` is the store revision, `sub` orders the writes of one txn. */
export interface Revision {
  readonly main: number;
  readonly sub: number;
}

export const revisionKeyBytes = 12;

/** 8-byte big-endian main + 4-byte big-endian sub, so LevelDB orders records by revision. */
export function encodeRevisionKey(main: number, sub: number): Uint8Array {
  const bytes = new Uint8Array(revisionKeyBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(main / 2 ** 32));
  view.setUint32(4, main >>> 0);
  view.setUint32(8, sub >>> 0);
  return bytes;
}

export function decodeRevisionKey(bytes: Uint8Array): Revision {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { main: view.getUint32(0) * 2 ** 32 + view.getUint32(4), sub: view.getUint32(8) };
}

/** 8-byte big-endian lease id (ids are safe integers). */
export function encodeLeaseKey(id: number): Uint8Array {
  return encodeRevisionKey(id, 0).subarray(0, 8);
}

export function keyToString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

export function stringToKey(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

export function compareBytes(left: Uint8Array, right: Uint8Array): number {
  return Buffer.compare(left, right);
}

export function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  return left.byteLength === right.byteLength && Buffer.compare(left, right) === 0;
}

/**
 * The smallest key greater than every key with this prefix (etcd's GetPrefixRangeEnd): increment the
 * last byte that is not 0xff and drop what follows. An all-0xff (or empty) prefix has no end: it
 * returns `[0]`, which as a range end means "to the end of the keyspace".
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  for (let index = prefix.byteLength - 1; index >= 0; index--) {
    const byte = prefix[index] ?? 0xff;
    if (byte < 0xff) {
      const end = prefix.slice(0, index + 1);
      end[index] = byte + 1;
      return end;
    }
  }
  return new Uint8Array([0]);
}

/** A key interval in string form; `end === null` means unbounded. `single` means exactly `start`. */
export interface KeyInterval {
  readonly start: string;
  readonly end: string | null;
  readonly single: boolean;
}

/**
 * etcd range semantics: an empty `rangeEnd` means the single key; `rangeEnd = "\0"` means every key
 * >= `key` (and with `key = "\0"` too, the whole keyspace); otherwise the half-open [key, rangeEnd).
 */
export function keyInterval(key: Uint8Array, rangeEnd: Uint8Array | undefined): KeyInterval {
  const start = keyToString(key);
  if (rangeEnd === undefined || rangeEnd.byteLength === 0) return { start, end: null, single: true };
  if (rangeEnd.byteLength === 1 && rangeEnd[0] === 0) {
    return { start: key.byteLength === 1 && key[0] === 0 ? '' : start, end: null, single: false };
  }
  return { start, end: keyToString(rangeEnd), single: false };
}

export function intervalContains(interval: KeyInterval, key: string): boolean {
  if (interval.single) return key === interval.start;
  return key >= interval.start && (interval.end === null || key < interval.end);
}

/** True when the two intervals share at least one key. */
export function intervalsOverlap(left: KeyInterval, right: KeyInterval): boolean {
  if (left.single) return intervalContains(right, left.start);
  if (right.single) return intervalContains(left, right.start);
  const leftBeforeRight = left.end !== null && left.end <= right.start;
  const rightBeforeLeft = right.end !== null && right.end <= left.start;
  return !leftBeforeRight && !rightBeforeLeft;
}
