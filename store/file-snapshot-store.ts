import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, FlotillaError, type Logger } from '../common/index.ts';
import { decodeChecked, encodeChecked } from '../raft/crc32.ts';
import type { SnapshotStore } from '../raft/index.ts';
import type { SnapshotChunk, SnapshotMetadata } from '../raft/index.ts';

/** File name suffixes; the index is zero-padded so a directory listing sorts by index. */
const Suffix = { data: '.snap', metadata: '.meta', incoming: '.incoming', saving: '.saving', temporary: '.tmp' } as const;
const indexDigits = 20;

function fileName(index: number, suffix: string): string {
  return `${String(index).padStart(indexDigits, '0')}${suffix}`;
}

/**
 * Snapshots as files in one directory: `<index>.snap` (data) + `<index>.meta` (checksummed
 * metadata). Partial snapshots (`.incoming` from a leader, `.saving` taken locally) become current
 * by an fsynced rename, so a crash leaves either the old or the new snapshot, never half of one.
 */
export class FileSnapshotStore implements SnapshotStore {
  private currentMetadata: SnapshotMetadata | null;

  private constructor(
    private readonly directory: string,
    private readonly logger: Logger,
    current: SnapshotMetadata | null,
  ) {
    this.currentMetadata = current;
  }

  static async open(directory: string, options: { readonly logger: Logger }): Promise<FileSnapshotStore> {
    await mkdir(directory, { recursive: true });
    let current: SnapshotMetadata | null = null;
    const names = (await readdir(directory)).sort();
    for (const name of names) {
      if (name.endsWith(Suffix.temporary)) await rm(join(directory, name), { force: true });
      if (!name.endsWith(Suffix.metadata)) continue;
      const metadata = await readMetadata(join(directory, name));
      if (metadata !== null && names.includes(fileName(metadata.index, Suffix.data))) current = metadata;
    }
    return new FileSnapshotStore(directory, options.logger, current);
  }

  current(): SnapshotMetadata | null {
    return this.currentMetadata;
  }

  async writeChunk(chunk: SnapshotChunk): Promise<void> {
    const path = this.path(chunk.metadata.index, Suffix.incoming);
    // Offset 0 starts afresh: a leader that restarted a transfer must not leave our old bytes behind.
    const handle = await open(path, chunk.offset === 0 ? 'w' : 'r+');
    try {
      const { size } = await handle.stat();
      if (size < chunk.offset) {
        throw new FlotillaError(ErrorCode.invalidArgument, `snapshot ${chunk.metadata.index}: chunk at ${chunk.offset} but only ${size} bytes received`);
      }
      await writeAll(handle, chunk.data, chunk.offset);
      await handle.truncate(chunk.offset + chunk.data.length);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async finalize(metadata: SnapshotMetadata): Promise<void> {
    await this.install(metadata, this.path(metadata.index, Suffix.incoming));
  }

  async save(index: number, data: AsyncIterable<Uint8Array>): Promise<number> {
    const handle = await open(this.path(index, Suffix.saving), 'w');
    let size = 0;
    try {
      for await (const part of data) {
        await writeAll(handle, part, size);
        size += part.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    return size;
  }

  async commit(metadata: SnapshotMetadata): Promise<void> {
    await this.install(metadata, this.path(metadata.index, Suffix.saving));
  }

  async readChunk(index: number, offset: number, length: number): Promise<Uint8Array> {
    const handle = await this.openCommitted(index);
    try {
      const buffer = Buffer.alloc(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async *read(index: number): AsyncIterable<Uint8Array> {
    await (await this.openCommitted(index)).close();
    for await (const part of createReadStream(this.path(index, Suffix.data))) {
      if (part instanceof Uint8Array) yield part;
    }
  }

  async prune(keepIndex: number): Promise<void> {
    for (const name of await readdir(this.directory)) {
      const index = Number.parseInt(name.slice(0, indexDigits), 10);
      if (!Number.isSafeInteger(index) || index === keepIndex) continue;
      const partial = name.endsWith(Suffix.incoming) || name.endsWith(Suffix.saving);
      if (partial && index > keepIndex) continue;
      await rm(join(this.directory, name), { force: true });
    }
    if (this.currentMetadata !== null && this.currentMetadata.index !== keepIndex) {
      this.currentMetadata = (await readMetadata(this.path(keepIndex, Suffix.metadata))) ?? null;
    }
  }

  /** Metadata first (it names a snapshot only once its data file exists), then the data rename. */
  private async install(metadata: SnapshotMetadata, partialPath: string): Promise<void> {
    const metadataPath = this.path(metadata.index, Suffix.metadata);
    const temporaryPath = `${metadataPath}${Suffix.temporary}`;
    const handle = await open(temporaryPath, 'w');
    try {
      const bytes = encodeChecked(metadata);
      await writeAll(handle, bytes, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, metadataPath);
    await rename(partialPath, this.path(metadata.index, Suffix.data));
    await syncDirectory(this.directory);
    if (this.currentMetadata === null || metadata.index >= this.currentMetadata.index) this.currentMetadata = metadata;
    this.logger.info({ index: metadata.index, term: metadata.term, sizeBytes: metadata.sizeBytes }, 'snapshot stored');
  }

  private async openCommitted(index: number): Promise<FileHandle> {
    try {
      return await open(this.path(index, Suffix.data), 'r');
    } catch (error) {
      throw new FlotillaError(ErrorCode.storeCorrupt, `no snapshot at index ${index}`, { cause: error, details: { index } });
    }
  }

  private path(index: number, suffix: string): string {
    return join(this.directory, fileName(index, suffix));
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const result = await handle.write(bytes, written, bytes.length - written, position + written);
    written += result.bytesWritten;
  }
}

async function readMetadata(path: string): Promise<SnapshotMetadata | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  const decoded = decodeChecked<SnapshotMetadata>(bytes);
  return decoded.ok ? decoded.value : null;
}

/** A rename is durable only once the directory entry is; fsync the directory after it. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
