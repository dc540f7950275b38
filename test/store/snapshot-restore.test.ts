/**
 * The offline data-directory tools: a snapshot verified without installing it (and refused when
 * cut or damaged), and a new member's data directory built from it (flotilla snapshot restore),
 * opened by the real Replica as a one-member cluster that already holds the data.
 */
import { createReadStream } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findFreePort, realEnv, silentLogger } from '../../common/index.ts';
import { command, Replica, restoreReplicaDataDir, verifySnapshotStream } from '../../store/index.ts';
import { bytes, makeTempDirectory, StoreHarness, text } from './helpers.ts';

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < data.byteLength; offset += size) yield data.subarray(offset, offset + size);
}

describe('snapshot files: verify and restore', () => {
  let source: StoreHarness;
  let scratch: string;
  let file: string;
  let snapshot: Buffer;

  beforeEach(async () => {
    source = await StoreHarness.create();
    scratch = await makeTempDirectory();
    await source.run(command.leaseGrant(7, 60));
    await source.applyBatch(Array.from({ length: 50 }, (_, index) => command.put(bytes(`k/${index}`), bytes(`v${index}`), index === 0 ? { lease: 7 } : {})));
    snapshot = await collect(await source.store.createSnapshot());
    file = join(scratch, 'store.snapshot');
    await writeFile(file, snapshot);
  });

  afterEach(async () => {
    await source.store.close();
    await source.db.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('verifies a whole stream in any chunking: meta, counts, the file\'s SHA-256', async () => {
    const verified = await verifySnapshotStream(chunks(snapshot, 7));
    expect(verified.meta.revision).toBe(source.store.revision);
    expect(verified.records).toBe(50);
    expect(verified.leases).toBe(1);
    expect(verified.sizeBytes).toBe(snapshot.byteLength);
    expect(verified.fileSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a cut stream and a flipped byte', async () => {
    await expect(verifySnapshotStream(chunks(snapshot.subarray(0, snapshot.byteLength - 10), 64))).rejects.toThrow(/truncated/);
    const damaged = Buffer.from(snapshot);
    damaged[Math.floor(damaged.byteLength / 2)] = (damaged[Math.floor(damaged.byteLength / 2)] ?? 0) ^ 0x01;
    await expect(verifySnapshotStream(chunks(damaged, 64))).rejects.toThrow(/snapshot:/);
  });

  it('flotilla snapshot restore refuses a damaged file before anything is written', async () => {
    const { restoreSnapshot } = await import('../../control-plane/index.ts');
    const damaged = Buffer.from(snapshot);
    damaged[Math.floor(damaged.byteLength / 2)] = (damaged[Math.floor(damaged.byteLength / 2)] ?? 0) ^ 0xff;
    const damagedFile = join(scratch, 'damaged.snapshot');
    await writeFile(damagedFile, damaged);
    const dataDir = join(scratch, 'never-written');
    await expect(restoreSnapshot({ file: damagedFile, dataDir, name: 'a', initialCluster: [{ name: 'a', address: { host: '127.0.0.1', port: 1 } }], clusterToken: null, logger: silentLogger })).rejects.toThrow(/snapshot:/);
    await expect(readdir(dataDir)).rejects.toThrow();
  });

  it('restores into a new data directory that a Replica opens as a one-member cluster holding the data', async () => {
    const dataDir = join(scratch, 'restored');
    const port = await findFreePort();
    const initialCluster = [{ name: 'solo', address: { host: '127.0.0.1', port } }];
    const restored = await restoreReplicaDataDir({ dataDir, name: 'solo', initialCluster, clusterToken: 'restored-token', openSnapshot: () => createReadStream(file), logger: silentLogger });
    expect(restored.membership.voters).toEqual(['solo']);
    expect(restored.index).toBe(source.store.appliedIndex);
    expect((await readdir(dataDir)).sort()).toEqual(['db', 'member.json', 'snapshots']);
    await expect(restoreReplicaDataDir({ dataDir, name: 'solo', initialCluster, clusterToken: 'x', openSnapshot: () => createReadStream(file), logger: silentLogger })).rejects.toThrow(/not empty/);

    const replica = await Replica.open({
      name: 'solo', dataDir, peerListen: { host: '127.0.0.1', port }, clientUrls: ['http://127.0.0.1:1'], initialCluster, initialClusterState: 'new',
      env: realEnv(1), logger: silentLogger,
    });
    try {
      for (let waited = 0; replica.status().role !== 'leader' && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      await replica.readIndex({ timeoutMs: 10_000 });
      const range = await replica.read((store) => store.range({ key: bytes('k/'), rangeEnd: bytes('k0') }));
      expect(range.kvs).toHaveLength(50);
      expect(text(range.kvs.find((kv) => text(kv.key) === 'k/3')?.value ?? new Uint8Array())).toBe('v3');
      expect(replica.identity.clusterToken).toBe('restored-token');
      expect(replica.status().membership.voters).toEqual(['solo']);
      expect(replica.store.leases().map((lease) => lease.id)).toEqual([7]);
    } finally {
      await replica.stop();
    }
  }, 30_000);
});
