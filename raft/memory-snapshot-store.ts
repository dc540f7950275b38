import { assert } from '../common/index.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { SnapshotChunk, SnapshotMetadata } from './types.ts';

/** `SnapshotStore` in memory, for tests and the simulator. */
export class MemorySnapshotStore implements SnapshotStore {
  private readonly committed = new Map<number, { metadata: SnapshotMetadata; data: Uint8Array }>();
  private readonly saved = new Map<number, Uint8Array>();
  private readonly incoming = new Map<number, Uint8Array[]>();
  private currentMetadata: SnapshotMetadata | null = null;

  current(): SnapshotMetadata | null {
    return this.currentMetadata;
  }

  writeChunk(chunk: SnapshotChunk): Promise<void> {
    const index = chunk.metadata.index;
    const parts = chunk.offset === 0 ? [] : (this.incoming.get(index) ?? []);
    const received = parts.reduce((sum, part) => sum + part.length, 0);
    assert(received === chunk.offset, () => `snapshot ${index}: chunk at ${chunk.offset} but ${received} bytes received`);
    parts.push(Uint8Array.from(chunk.data));
    this.incoming.set(index, parts);
    return Promise.resolve();
  }

  finalize(metadata: SnapshotMetadata): Promise<void> {
    const parts = this.incoming.get(metadata.index) ?? [];
    this.incoming.delete(metadata.index);
    this.install(metadata, Buffer.concat(parts));
    return Promise.resolve();
  }

  async save(index: number, data: AsyncIterable<Uint8Array>): Promise<number> {
    const parts: Uint8Array[] = [];
    for await (const part of data) parts.push(Uint8Array.from(part));
    const bytes = Buffer.concat(parts);
    this.saved.set(index, bytes);
    return bytes.length;
  }

  commit(metadata: SnapshotMetadata): Promise<void> {
    const data = this.saved.get(metadata.index);
    assert(data !== undefined, () => `snapshot ${metadata.index} was not saved`);
    this.saved.delete(metadata.index);
    this.install(metadata, data);
    return Promise.resolve();
  }

  readChunk(index: number, offset: number, length: number): Promise<Uint8Array> {
    const snapshot = this.committed.get(index);
    if (snapshot === undefined) return Promise.reject(new Error(`no snapshot at index ${index}`));
    return Promise.resolve(snapshot.data.subarray(offset, offset + length));
  }

  async *read(index: number): AsyncIterable<Uint8Array> {
    const snapshot = this.committed.get(index);
    if (snapshot === undefined) throw new Error(`no snapshot at index ${index}`);
    yield snapshot.data;
  }

  prune(keepIndex: number): Promise<void> {
    for (const index of [...this.committed.keys()]) if (index !== keepIndex) this.committed.delete(index);
    for (const index of [...this.saved.keys()]) if (index <= keepIndex) this.saved.delete(index);
    for (const index of [...this.incoming.keys()]) if (index <= keepIndex) this.incoming.delete(index);
    this.currentMetadata = this.committed.get(keepIndex)?.metadata ?? null;
    return Promise.resolve();
  }

  private install(metadata: SnapshotMetadata, data: Uint8Array): void {
    this.committed.set(metadata.index, { metadata, data });
    if (this.currentMetadata === null || metadata.index >= this.currentMetadata.index) this.currentMetadata = metadata;
  }
}
