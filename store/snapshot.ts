import { createHash } from 'node:crypto';
import { open, rename } from 'node:fs/promises';
import { assert } from '../common/index.ts';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import { emptyMeta, encodeMeta, metaStateKey, openLayout, readMeta, type DatabaseSnapshot, type RootDatabase, type StoreLayout, type StoredMeta } from './layout.ts';
import { corruptSnapshot, encodeFrame, FrameReader, snapshotFormatVersion, snapshotMagic, type SnapshotFrame } from './snapshot-format.ts';
import { StoreLimits } from './store-limits.ts';

/** A consistent snapshot of the store being streamed out. Iterate it once; close() it if you stop early. */
export interface StoreSnapshotStream extends AsyncIterable<Uint8Array> {
  /** The state the snapshot holds: `meta.appliedIndex` is the Raft index it covers. */
  readonly meta: StoredMeta;
  close(): Promise<void>;
}

export interface SnapshotFileInfo {
  readonly path: string;
  readonly sizeBytes: number;
  readonly meta: StoredMeta;
}

/**
 * Opens a LevelDB snapshot (synchronously, so it is exactly the last committed apply batch) and
 * streams the store's sublevels from it in frames of about `snapshotFrameBytes`. Applies may run
 * meanwhile; they do not show in the stream.
 */
export async function createSnapshotStream(layout: StoreLayout): Promise<StoreSnapshotStream> {
  const snapshot = layout.root.snapshot();
  let meta: StoredMeta;
  try {
    meta = await readMeta(layout, snapshot);
  } catch (error) {
    await snapshot.close();
    throw error;
  }
  let started = false;
  return {
    meta,
    close: () => snapshot.close(),
    [Symbol.asyncIterator]() {
      assert(!started, 'a snapshot stream is iterated once');
      started = true;
      return streamFrames(layout, snapshot, meta)[Symbol.asyncIterator]();
    },
  };
}

async function* streamFrames(layout: StoreLayout, snapshot: DatabaseSnapshot, meta: StoredMeta): AsyncGenerator<Uint8Array> {
  const digest = createHash('sha256');
  const emit = (frame: SnapshotFrame): Uint8Array => {
    const bytes = encodeFrame(frame);
    digest.update(bytes);
    return bytes;
  };
  try {
    yield emit({ type: 'header', magic: snapshotMagic, formatVersion: snapshotFormatVersion, meta });
    const counts = { leases: 0, kv: 0 };
    for (const type of ['leases', 'kv'] as const) {
      const sublevel = type === 'leases' ? layout.lease : layout.kv;
      let entries: [Uint8Array, Uint8Array][] = [];
      let frameBytes = 0;
      for await (const [key, value] of sublevel.iterator({ snapshot })) {
        entries.push([key, value]);
        counts[type]++;
        frameBytes += key.byteLength + value.byteLength + 16;
        if (frameBytes >= StoreLimits.snapshotFrameBytes) {
          yield emit({ type, entries });
          entries = [];
          frameBytes = 0;
        }
      }
      if (entries.length > 0) yield emit({ type, entries });
    }
    yield encodeFrame({ type: 'end', leases: counts.leases, records: counts.kv, sha256: digest.digest('hex') });
  } finally {
    await snapshot.close();
  }
}

/** Streams a snapshot into a file (written as `path.partial`, fsynced, then renamed into place). */
export async function writeSnapshotFile(layout: StoreLayout, path: string): Promise<SnapshotFileInfo> {
  const stream = await createSnapshotStream(layout);
  const partialPath = `${path}.partial`;
  const file = await open(partialPath, 'w');
  let sizeBytes = 0;
  try {
    for await (const chunk of stream) {
      await file.write(chunk);
      sizeBytes += chunk.byteLength;
    }
    await file.sync();
  } finally {
    await file.close();
    await stream.close();
  }
  await rename(partialPath, path);
  return { path, sizeBytes, meta: stream.meta };
}

/**
 * Writes a snapshot into `target`, a freshly created, empty database (the staging directory of
 * README "Installing a snapshot"). The meta record is written last, after the end frame's checksum
 * has been verified, so a target without meta is an incomplete install. Returns the installed meta.
 * Throws STORE_CORRUPT on a damaged or truncated stream; the caller then discards the target.
 */
export async function installSnapshot(target: RootDatabase, source: AsyncIterable<Uint8Array>, namespace?: string): Promise<StoredMeta> {
  const layout = openLayout(target, namespace);
  await assertEmpty(layout);
  const state = { header: null as StoredMeta | null, ended: false, leases: 0, records: 0, batchBytes: 0, batch: target.batch() };
  const digest = createHash('sha256');
  const reader = new FrameReader();
  for await (const chunk of source) {
    for (const { bytes, frame } of reader.push(chunk)) {
      if (state.ended) throw corruptSnapshot('data after the end frame');
      if (frame.type === 'end') {
        checkEnd(frame, digest.digest('hex'), state);
        state.ended = true;
        continue;
      }
      digest.update(bytes);
      await installFrame(layout, frame, state);
    }
  }
  if (!state.ended || reader.hasPartialFrame || state.header === null) throw corruptSnapshot('truncated stream');
  await state.batch.write();
  await target.batch().put(metaStateKey, encodeMeta(state.header), { sublevel: layout.meta }).write();
  return state.header;
}

interface InstallState {
  header: StoredMeta | null;
  leases: number;
  records: number;
  batchBytes: number;
  batch: ReturnType<RootDatabase['batch']>;
}

async function installFrame(layout: StoreLayout, frame: Exclude<SnapshotFrame, { type: 'end' }>, state: InstallState): Promise<void> {
  if (frame.type === 'header') {
    if (state.header !== null) throw corruptSnapshot('second header');
    if (frame.magic !== snapshotMagic || frame.formatVersion !== snapshotFormatVersion) throw corruptSnapshot('not a store snapshot of a known version');
    state.header = { ...emptyMeta, ...frame.meta };
    return;
  }
  if (state.header === null) throw corruptSnapshot('data before the header');
  const sublevel = frame.type === 'leases' ? layout.lease : layout.kv;
  for (const [key, value] of frame.entries) {
    if (!(key instanceof Uint8Array) || !(value instanceof Uint8Array)) throw corruptSnapshot('entry is not bytes');
    state.batch.put(key, value, { sublevel });
    state.batchBytes += key.byteLength + value.byteLength;
  }
  if (frame.type === 'leases') state.leases += frame.entries.length;
  else state.records += frame.entries.length;
  if (state.batchBytes >= StoreLimits.snapshotInstallBatchBytes) {
    await state.batch.write();
    state.batch = layout.root.batch();
    state.batchBytes = 0;
  }
}

function checkEnd(frame: Extract<SnapshotFrame, { type: 'end' }>, sha256: string, state: InstallState): void {
  if (frame.sha256 !== sha256) throw corruptSnapshot('checksum mismatch');
  if (frame.leases !== state.leases || frame.records !== state.records) throw corruptSnapshot('entry counts do not match');
}

async function assertEmpty(layout: StoreLayout): Promise<void> {
  const hasMeta = (await layout.meta.get(metaStateKey)) !== undefined;
  const firstRecord = await layout.kv.keys({ limit: 1 }).all();
  if (hasMeta || firstRecord.length > 0) {
    throw new FlotillaError(ErrorCode.invalidArgument, 'snapshot target database is not empty: install into a fresh staging directory');
  }
}
