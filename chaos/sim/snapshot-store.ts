import { assert } from '../../common/index.ts';
import type { Message, SnapshotChunk, SnapshotMetadata } from '../../raft/index.ts';
import type { StoredSnapshot } from './disk.ts';

/** Snapshots a member keeps to serve to followers: the newest and the one before, for chunks already under way. */
export const snapshotsRetainedMax = 2;
/** Chunks of one incoming snapshot; a transfer needing more is a bug (the chunk size is fixed). */
export const incomingChunksMax = 4096;

/**
 * A member's snapshot store, in memory: the snapshots it can send (taken or installed), and the
 * chunks of the one it is receiving. Incoming chunks do not survive a crash: a restarted core
 * asks for the transfer from offset 0 anyway.
 */
export class SimSnapshotStore {
  private readonly outgoing: StoredSnapshot[] = [];
  private incomingIndex = -1;
  private incoming = new Map<number, Uint8Array>();

  get latest(): StoredSnapshot | null {
    return this.outgoing[this.outgoing.length - 1] ?? null;
  }

  keep(snapshot: StoredSnapshot): void {
    if (this.latest?.metadata.index === snapshot.metadata.index) return;
    this.outgoing.push(snapshot);
    if (this.outgoing.length > snapshotsRetainedMax) this.outgoing.shift();
  }

  /** Fills an outgoing install-snapshot message's `data` from the stored bytes. */
  fill(message: Message & { readonly type: 'install-snapshot' }): Message {
    const snapshot = this.outgoing.find((s) => s.metadata.index === message.metadata.index);
    assert(snapshot !== undefined, () => `${message.from} sends snapshot ${message.metadata.index} it does not have`);
    assert(message.offset + message.length <= snapshot.data.length, () =>
      `${message.from} sends bytes [${message.offset}, ${message.offset + message.length}) of a ${snapshot.data.length}-byte snapshot`,
    );
    return { ...message, data: snapshot.data.subarray(message.offset, message.offset + message.length) };
  }

  storeChunk(chunk: SnapshotChunk): void {
    if (chunk.metadata.index !== this.incomingIndex) {
      // A newer (or different) snapshot replaces a half-received one.
      this.incomingIndex = chunk.metadata.index;
      this.incoming = new Map();
    }
    assert(this.incoming.size < incomingChunksMax, 'too many chunks for one snapshot');
    this.incoming.set(chunk.offset, chunk.data);
  }

  /** The received bytes of `metadata`'s snapshot, which must be complete. */
  assemble(metadata: SnapshotMetadata): Uint8Array {
    assert(metadata.index === this.incomingIndex, () => `installing snapshot ${metadata.index} but receiving ${this.incomingIndex}`);
    const bytes = new Uint8Array(metadata.sizeBytes);
    let offset = 0;
    while (offset < metadata.sizeBytes) {
      const chunk = this.incoming.get(offset);
      assert(chunk !== undefined && chunk.length > 0, () => `snapshot ${metadata.index} installed with no chunk at offset ${offset}`);
      assert(offset + chunk.length <= metadata.sizeBytes, () => `snapshot ${metadata.index}: chunk at ${offset} overruns`);
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.incoming = new Map();
    this.incomingIndex = -1;
    return bytes;
  }

  clearIncoming(): void {
    this.incoming = new Map();
    this.incomingIndex = -1;
  }
}
