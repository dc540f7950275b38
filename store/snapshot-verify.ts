import { createHash } from 'node:crypto';
import type { StoredMeta } from './layout.ts';
import { corruptSnapshot, FrameReader, snapshotFormatVersion, snapshotMagic } from './snapshot-format.ts';

/** What a complete, verified store snapshot holds. */
export interface VerifiedSnapshot {
  readonly meta: StoredMeta;
  readonly leases: number;
  readonly records: number;
  /** SHA-256 of every byte of the stream (the whole file), for the operator's records. */
  readonly fileSha256: string;
  readonly sizeBytes: number;
}

/**
 * Checks a store snapshot stream (store/snapshot-format.ts) chunk by chunk, without installing
 * it: header first, then the end frame's SHA-256 over every frame before it and its counts. Used
 * by `flotilla snapshot save` while the bytes arrive (a damaged download is never renamed into
 * place) and by `flotilla snapshot status`.
 */
export class SnapshotVerifier {
  private readonly reader = new FrameReader();
  private readonly framesDigest = createHash('sha256');
  private readonly fileDigest = createHash('sha256');
  private meta: StoredMeta | null = null;
  private ended: { leases: number; records: number } | null = null;
  private leases = 0;
  private records = 0;
  private sizeBytes = 0;

  /** Throws STORE_CORRUPT as soon as the bytes cannot be a valid snapshot. */
  push(chunk: Uint8Array): void {
    this.fileDigest.update(chunk);
    this.sizeBytes += chunk.byteLength;
    for (const { bytes, frame } of this.reader.push(chunk)) {
      if (this.ended !== null) throw corruptSnapshot('data after the end frame');
      if (frame.type === 'end') {
        if (frame.sha256 !== this.framesDigest.digest('hex')) throw corruptSnapshot('checksum mismatch');
        if (frame.leases !== this.leases || frame.records !== this.records) throw corruptSnapshot('entry counts do not match');
        this.ended = { leases: frame.leases, records: frame.records };
        continue;
      }
      this.framesDigest.update(bytes);
      if (frame.type === 'header') {
        if (this.meta !== null) throw corruptSnapshot('second header');
        if (frame.magic !== snapshotMagic || frame.formatVersion !== snapshotFormatVersion) throw corruptSnapshot('not a Flotilla store snapshot of a known version');
        this.meta = frame.meta;
        continue;
      }
      if (this.meta === null) throw corruptSnapshot('data before the header');
      if (frame.type === 'leases') this.leases += frame.entries.length;
      else this.records += frame.entries.length;
    }
  }

  /** After the last chunk: the verified summary, or STORE_CORRUPT for a truncated stream. */
  finish(): VerifiedSnapshot {
    if (this.ended === null || this.meta === null || this.reader.hasPartialFrame) throw corruptSnapshot('truncated stream (no end frame)');
    return { meta: this.meta, leases: this.leases, records: this.records, fileSha256: this.fileDigest.digest('hex'), sizeBytes: this.sizeBytes };
  }
}

/** Verifies a whole stream (a file being read). */
export async function verifySnapshotStream(source: AsyncIterable<Uint8Array>): Promise<VerifiedSnapshot> {
  const verifier = new SnapshotVerifier();
  for await (const chunk of source) verifier.push(chunk);
  return verifier.finish();
}
