import { decode, encode } from '../common/index.ts';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import { StoreLimits } from './store-limits.ts';
import type { StoredMeta } from './layout.ts';

/**
 * The snapshot byte format: a sequence of frames, each a 4-byte big-endian length and a msgpack
 * payload. The first frame is the header (with the store's meta), then `leases` and `kv` frames
 * carrying raw (sublevel key, value) pairs, and last an `end` frame with counts and the SHA-256 of
 * every byte before it, so a truncated or damaged transfer is refused, never installed.
 */
export const snapshotMagic = 'flotilla-store-snapshot';
export const snapshotFormatVersion = 1;

export type SnapshotFrame =
  | { readonly type: 'header'; readonly magic: string; readonly formatVersion: number; readonly meta: StoredMeta }
  | { readonly type: 'leases' | 'kv'; readonly entries: readonly (readonly [Uint8Array, Uint8Array])[] }
  | { readonly type: 'end'; readonly leases: number; readonly records: number; readonly sha256: string };

export function encodeFrame(frame: SnapshotFrame): Uint8Array {
  const payload = encode(frame);
  const bytes = new Uint8Array(4 + payload.byteLength);
  new DataView(bytes.buffer).setUint32(0, payload.byteLength);
  bytes.set(payload, 4);
  return bytes;
}

export function corruptSnapshot(message: string): FlotillaError {
  return new FlotillaError(ErrorCode.storeCorrupt, `snapshot: ${message}`);
}

/** Splits an arbitrarily chunked byte stream back into frames. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  get hasPartialFrame(): boolean {
    return this.pending.byteLength > 0;
  }

  /** Returns the frames completed by this chunk, each with its exact bytes (for the digest). */
  push(chunk: Uint8Array): { bytes: Uint8Array; frame: SnapshotFrame }[] {
    this.pending = this.pending.byteLength === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const frames: { bytes: Uint8Array; frame: SnapshotFrame }[] = [];
    let offset = 0;
    while (this.pending.byteLength - offset >= 4) {
      const length = this.pending.readUInt32BE(offset);
      if (length > StoreLimits.snapshotFrameBytesMax) throw corruptSnapshot(`frame of ${length} bytes exceeds ${StoreLimits.snapshotFrameBytesMax}`);
      if (this.pending.byteLength - offset < 4 + length) break;
      const bytes = this.pending.subarray(offset, offset + 4 + length);
      frames.push({ bytes, frame: parseFrame(bytes.subarray(4)) });
      offset += 4 + length;
    }
    this.pending = this.pending.subarray(offset);
    return frames;
  }
}

function parseFrame(payload: Uint8Array): SnapshotFrame {
  let frame: SnapshotFrame;
  try {
    frame = decode<SnapshotFrame>(payload);
  } catch (cause) {
    throw new FlotillaError(ErrorCode.storeCorrupt, 'snapshot: undecodable frame', { cause });
  }
  if (typeof frame !== 'object' || frame === null || !['header', 'leases', 'kv', 'end'].includes(frame.type)) {
    throw corruptSnapshot('unknown frame type');
  }
  if ((frame.type === 'leases' || frame.type === 'kv') && !Array.isArray(frame.entries)) throw corruptSnapshot('frame without entries');
  return frame;
}
