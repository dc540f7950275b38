/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) and a checksummed msgpack envelope for values at
 * rest. LevelDB checksums its own blocks, but a bug or a torn write in our layer (or a disk that
 * lies about fsync) can still leave a log value that decodes to garbage; the checksum lets us
 * detect that on open and truncate the tail instead of replaying it.
 */
import { decode, encode } from '../common/index.ts';

const table: Uint32Array = buildTable();

function buildTable(): Uint32Array {
  const result = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    result[n] = c >>> 0;
  }
  return result;
}

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc = (table[(crc ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const checksumBytes = 4;

/** `[crc32 big-endian (4 bytes)][msgpack bytes]`. */
export function encodeChecked(value: unknown): Uint8Array {
  const body = encode(value);
  const out = new Uint8Array(checksumBytes + body.length);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(0, crc32(body), false);
  out.set(body, checksumBytes);
  return out;
}

export type CheckedDecode<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** The inverse of `encodeChecked`; a bad checksum or undecodable body is an expected outcome here, not a throw. */
export function decodeChecked<T>(bytes: Uint8Array): CheckedDecode<T> {
  if (bytes.length < checksumBytes) return { ok: false, reason: 'shorter than its checksum' };
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, false);
  if (crc32(bytes, checksumBytes) !== stored) return { ok: false, reason: 'checksum mismatch' };
  try {
    return { ok: true, value: decode<T>(bytes.subarray(checksumBytes)) };
  } catch (error) {
    return { ok: false, reason: `undecodable: ${String(error)}` };
  }
}
