import { decode, encode, ErrorCode, FlotillaError } from '../common/index.ts';
import { parseMessage } from './message-validation.ts';
import type { Message, NodeId } from './types.ts';

/**
 * The peer wire protocol: each frame is a 4-byte big-endian length followed by that many bytes of
 * msgpack. The dialer's first frame is `hello`; after it, `message` frames flow from dialer to
 * acceptor, and `ping`/`pong` measure the round trip. A connection is one-way for Raft messages:
 * each member dials every peer it sends to.
 */
export const wireProtocolVersion = 1;
export const frameHeaderBytes = 4;
/**
 * Largest frame accepted or sent. An AppendEntries carries up to `Limits.appendBytesMax` of entries
 * but always at least one entry (up to `Limits.proposalBytesMax`); a snapshot chunk is
 * `Limits.snapshotChunkBytes`. 8 MiB leaves room for both plus msgpack overhead.
 */
export const defaultFrameBytesMax = 8 * 1024 * 1024;

export type Frame =
  | { readonly kind: 'hello'; readonly version: number; readonly clusterId: string; readonly from: NodeId; readonly to: NodeId }
  | { readonly kind: 'reject'; readonly reason: string }
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'ping'; readonly sentAtMs: number }
  | { readonly kind: 'pong'; readonly sentAtMs: number };

export function frameError(reason: string, details: Record<string, unknown> = {}): FlotillaError {
  return new FlotillaError(ErrorCode.transportRejected, reason, { details });
}

/** Encodes one frame; throws TRANSPORT_REJECTED when it would exceed `frameBytesMax`. */
export function encodeFrame(frame: Frame, frameBytesMax: number): Buffer {
  const body = encode(frame);
  if (body.length > frameBytesMax) {
    throw frameError(`frame of ${body.length} bytes exceeds the ${frameBytesMax}-byte limit`, { sizeBytes: body.length, frameBytesMax });
  }
  const out = Buffer.allocUnsafe(frameHeaderBytes + body.length);
  out.writeUInt32BE(body.length, 0);
  out.set(body, frameHeaderBytes);
  return out;
}

/** Decodes a frame body; throws TRANSPORT_REJECTED for anything that is not a well-formed frame. */
export function decodeFrame(body: Uint8Array): Frame {
  let value: unknown;
  try {
    value = decode<unknown>(body);
  } catch (error) {
    throw frameError(`undecodable frame: ${String(error)}`);
  }
  const frame = parseFrame(value);
  if (frame === null) throw frameError('malformed frame');
  return frame;
}

function parseFrame(value: unknown): Frame | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  switch (record['kind']) {
    case 'hello': {
      const { version, clusterId, from, to } = record;
      if (typeof version !== 'number' || typeof clusterId !== 'string' || typeof from !== 'string' || typeof to !== 'string') return null;
      return { kind: 'hello', version, clusterId, from, to };
    }
    case 'reject':
      return typeof record['reason'] === 'string' ? { kind: 'reject', reason: record['reason'] } : null;
    case 'message': {
      const message = parseMessage(record['message']);
      return message === null ? null : { kind: 'message', message };
    }
    case 'ping':
    case 'pong': {
      const sentAtMs = record['sentAtMs'];
      return typeof sentAtMs === 'number' ? { kind: record['kind'], sentAtMs } : null;
    }
    default:
      return null;
  }
}

/**
 * Splits a byte stream into frame bodies. Chunks are kept as a list and joined once per frame, so a
 * large frame arriving in many socket reads costs one copy, not one per read.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expectedBytes: number | null = null;

  constructor(private readonly frameBytesMax: number) {}

  /** Returns the frames completed by `chunk`; throws TRANSPORT_REJECTED on an oversized or empty frame. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expectedBytes === null) {
        if (this.buffered < frameHeaderBytes) break;
        const length = this.take(frameHeaderBytes).readUInt32BE(0);
        if (length > this.frameBytesMax) {
          throw frameError(`incoming frame of ${length} bytes exceeds the ${this.frameBytesMax}-byte limit`, { sizeBytes: length });
        }
        if (length === 0) throw frameError('empty frame');
        this.expectedBytes = length;
      }
      if (this.buffered < this.expectedBytes) break;
      frames.push(this.take(this.expectedBytes));
      this.expectedBytes = null;
    }
    return frames;
  }

  private take(length: number): Buffer {
    const first = this.chunks[0];
    let result: Buffer;
    if (first !== undefined && first.length >= length) {
      result = first.subarray(0, length);
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
    } else {
      const joined = Buffer.concat(this.chunks);
      result = joined.subarray(0, length);
      this.chunks = joined.length > length ? [joined.subarray(length)] : [];
    }
    this.buffered -= length;
    return result;
  }
}
