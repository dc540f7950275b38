import { createReadStream } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, isFlotillaError } from '../../common/index.ts';
import {
  command, installSnapshot, MvccStore, prepareStagingDirectory, recoverDirectorySwap, stagingDirectory, swapInStagingDirectory,
} from '../../store/index.ts';
import { bytes, makeTempDirectory, openDatabase, StoreHarness, text } from './helpers.ts';

const all = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };

async function populate(harness: StoreHarness): Promise<void> {
  await harness.run(command.leaseGrant(11, 30));
  const commands = [];
  for (let index = 0; index < 2000; index++) {
    commands.push(command.put(bytes(`key/${index % 400}`), new Uint8Array(300).fill(index % 251), index % 10 === 0 ? { lease: 11 } : {}));
  }
  for (let start = 0; start < commands.length; start += 500) await harness.applyBatch(commands.slice(start, start + 500));
  await harness.run(command.deleteRange(bytes('key/1'), bytes('key/2')));
  await harness.run(command.compact(harness.store.revision - 100));
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* rechunk(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.byteLength; offset += size) yield data.subarray(offset, offset + size);
}

describe('snapshots', () => {
  let source: StoreHarness;
  let scratch: string;
  beforeEach(async () => {
    source = await StoreHarness.create();
    scratch = await makeTempDirectory();
    await populate(source);
  });
  afterEach(async () => {
    await source.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  it('installs into a fresh database that then equals the source (hashKv, ranges, leases)', async () => {
    const stream = await source.store.createSnapshot();
    // Applies after the snapshot started are not in it.
    await source.run(command.put(bytes('late'), bytes('x')));
    const data = await collect(stream);
    expect(stream.meta.appliedIndex).toBe(source.store.appliedIndex - 1);
    const target = openDatabase(join(scratch, 'fresh'));
    await target.open();
    const meta = await installSnapshot(target, rechunk(data, 7777));
    expect(meta).toEqual(stream.meta);
    const restored = await MvccStore.open({ db: target });
    expect(restored.appliedIndex).toBe(stream.meta.appliedIndex);
    expect(restored.revision).toBe(stream.meta.revision);
    const sourceHash = await source.store.hashKv(stream.meta.revision);
    expect(await restored.hashKv()).toEqual({ ...sourceHash, appliedIndex: stream.meta.appliedIndex });
    expect(restored.leases()).toEqual(source.store.leases());
    expect(restored.timeToLive(11, true)?.keys.length).toBe(source.store.timeToLive(11, true)?.keys.length);
    const atCompact = { ...all, revision: restored.compactRevision };
    expect((await restored.range(atCompact)).kvs).toEqual((await source.store.range(atCompact)).kvs);
    await restored.close();
    await target.close();
  });

  it('round-trips through a file and refuses damaged or truncated data', async () => {
    const file = join(scratch, 'snap.bin');
    const info = await source.store.writeSnapshotFile(file);
    expect((await stat(file)).size).toBe(info.sizeBytes);
    const fresh = openDatabase(join(scratch, 'from-file'));
    await fresh.open();
    await installSnapshot(fresh, createReadStream(file, { highWaterMark: 64 * 1024 }));
    await fresh.close();

    const data = await readFile(file);
    const damaged = Buffer.from(data);
    const middle = Math.floor(damaged.byteLength / 2);
    damaged.writeUInt8(damaged.readUInt8(middle) ^ 0xff, middle);
    for (const [name, bad] of [['damaged', damaged], ['truncated', data.subarray(0, data.byteLength - 10)]] as const) {
      const target = openDatabase(join(scratch, name));
      await target.open();
      const error = await installSnapshot(target, rechunk(bad, 4096)).catch((caught: unknown) => caught);
      expect(isFlotillaError(error, ErrorCode.storeCorrupt)).toBe(true);
      await target.close();
    }
  });

  it('swaps the data directory the documented way, and recovers an interrupted swap', async () => {
    const replica = await StoreHarness.create({}, join(scratch, 'replica'));
    await replica.run(command.put(bytes('stale'), bytes('state')));
    const snapshot = await collect(await source.store.createSnapshot());

    const stagingPath = await prepareStagingDirectory(replica.dataDirectory);
    const staging = openDatabase(stagingPath);
    await staging.open();
    await installSnapshot(staging, rechunk(snapshot, 512 * 1024));
    await staging.close();
    await replica.store.close();
    await replica.db.close();
    await swapInStagingDirectory(replica.dataDirectory);
    expect(await recoverDirectorySwap(replica.dataDirectory)).toBe('clean');
    replica.db = openDatabase(replica.dataDirectory);
    await replica.db.open();
    replica.store = await MvccStore.open({ db: replica.db });
    expect((await replica.store.range({ key: bytes('stale') })).count).toBe(0);
    expect((await replica.store.hashKv()).hash).toBe((await source.store.hashKv(replica.store.revision)).hash);
    await replica.destroy();

    // Crash between the two renames: data directory missing, staging complete.
    const data = join(scratch, 'crashed', 'db');
    await mkdir(stagingDirectory(data), { recursive: true });
    await writeFile(join(stagingDirectory(data), 'marker'), 'staged');
    expect(await recoverDirectorySwap(data)).toBe('completed-swap');
    expect(await readFile(join(data, 'marker'), 'utf8')).toBe('staged');
    // Crash while filling staging: data intact, staging discarded.
    await mkdir(stagingDirectory(data), { recursive: true });
    expect(await recoverDirectorySwap(data)).toBe('discarded-staging');
    expect(text(await readFile(join(data, 'marker')))).toBe('staged');
  });

  it('refuses to install into a non-empty database', async () => {
    const snapshot = await collect(await source.store.createSnapshot());
    const error = await installSnapshot(source.db, rechunk(snapshot, 65536)).catch((caught: unknown) => caught);
    expect(isFlotillaError(error, ErrorCode.invalidArgument)).toBe(true);
  });
});
