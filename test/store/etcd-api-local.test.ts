import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realEnv, silentLogger } from '../../common/index.ts';
import { LocalBackend } from '../../store/etcd-api/local-backend.ts';
import { describeRealClients } from './etcd-api-clients.ts';
import { bytes, etcdctl, eventually, startHarness, type Harness } from './etcd-api-harness.ts';

/**
 * Integration: the etcd API over the real MVCC store on LevelDB (standalone single member, no
 * Raft), driven by the unmodified etcd3 npm client, the installed etcdctl and raw gRPC.
 */

async function openLocal(directory: string): Promise<LocalBackend> {
  return LocalBackend.open({ directory, env: realEnv(), logger: silentLogger, name: 'solo', leaseCheckIntervalMs: 200 });
}

describeRealClients('local MVCC store', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'flotilla-etcd-api-'));
  const backend = await openLocal(directory);
  return {
    backend,
    close: async () => {
      await backend.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
});

describe('local MVCC store: store-specific behaviour through the API', () => {
  let directory: string;
  let backend: LocalBackend;
  let harness: Harness;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'flotilla-etcd-api-'));
    backend = await openLocal(directory);
    harness = await startHarness(backend);
  });

  afterAll(async () => {
    await harness.close();
    await backend.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('an unrenewed lease expires and takes its keys with it (watchers see the delete)', async () => {
    const client = new Etcd3({ hosts: harness.endpoint });
    try {
      const watcher = await client.watch().key('expiring').create();
      const deletes: string[] = [];
      watcher.on('delete', (kv) => deletes.push(kv.key.toString()));
      const lease = client.lease(2, { autoKeepAlive: false });
      await lease.put('expiring').value('soon');
      expect(await client.get('expiring').string()).toBe('soon');
      await eventually(() => deletes.length === 1, 6_000, 'the lease to expire');
      expect(await client.get('expiring').string()).toBeNull();
      await watcher.cancel();
    } finally {
      client.close();
    }
  });

  it('store refusals map to etcd statuses', async () => {
    const noLease = await harness.raw.callError('KV', 'Put', { key: bytes('k'), value: bytes('v'), lease: 12345 });
    expect([noLease.code, noLease.details]).toEqual([GrpcStatus.NOT_FOUND, 'etcdserver: requested lease not found']);
    const future = await harness.raw.callError('KV', 'Range', { key: bytes('k'), revision: 10_000 });
    expect([future.code, future.details]).toEqual([GrpcStatus.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision']);
    const compactFuture = await harness.raw.callError('KV', 'Compact', { revision: 10_000 });
    expect(compactFuture.details).toBe('etcdserver: mvcc: required revision is a future revision');
  });

  it('a watch from a compacted revision is created, then canceled with compact_revision', async () => {
    await harness.raw.call('KV', 'Put', { key: bytes('wc'), value: bytes('1') });
    const second = await harness.raw.call<{ header: { revision: string } }>('KV', 'Put', { key: bytes('wc'), value: bytes('2') });
    const compactAt = Number(second.header.revision);
    await harness.raw.call('KV', 'Compact', { revision: compactAt, physical: true });
    const watch = await etcdctl(harness.endpoint, ['watch', 'wc', `--rev=${compactAt - 1}`]);
    expect(watch.stdout + watch.stderr).toContain('etcdserver: mvcc: required revision has been compacted');
  });

  it('status reports the applied index and a non-empty database', async () => {
    const status = JSON.parse((await etcdctl(harness.endpoint, ['endpoint', 'status', '-w', 'json'])).stdout) as {
      Status: { raftIndex: number; dbSize: number; leader: number; header: { member_id: number } };
    }[];
    expect(status[0]?.Status.raftIndex).toBeGreaterThan(0);
    expect(status[0]?.Status.dbSize).toBeGreaterThan(0);
    const members = await etcdctl(harness.endpoint, ['member', 'list']);
    expect(members.stdout).toMatch(/^466c6f74696c6c61, started, solo, /);
  });
});

describe('local MVCC store: restart', () => {
  it('data written through the API survives closing and reopening the member', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'flotilla-etcd-api-'));
    try {
      let backend = await openLocal(directory);
      let harness = await startHarness(backend);
      await etcdctl(harness.endpoint, ['put', 'durable', 'yes']);
      await harness.close();
      await backend.close();
      backend = await openLocal(directory);
      harness = await startHarness(backend);
      expect((await etcdctl(harness.endpoint, ['get', 'durable', '--print-value-only'])).stdout).toBe('yes\n');
      await etcdctl(harness.endpoint, ['put', 'durable', 'again']);
      expect((await etcdctl(harness.endpoint, ['get', 'durable', '-w', 'json'])).stdout).toContain('"version":2');
      await harness.close();
      await backend.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
