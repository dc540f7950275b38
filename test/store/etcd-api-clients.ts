import { Etcd3, type Lease } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdBackend } from '../../store/etcd-api/backend.ts';
import { etcdctl, etcdctlWatch, eventually, startHarness, type Harness } from './etcd-api-harness.ts';

export interface BackendUnderTest {
  readonly backend: EtcdBackend;
  close(): Promise<void>;
}

/**
 * Real, unmodified clients against the API: the `etcd3` npm client and the installed etcdctl
 * (3.4). Shared by the reference-backend unit tests and the local-store integration tests.
 * Every test uses its own key prefix, so they share one server.
 */
export function describeRealClients(name: string, makeBackend: () => Promise<BackendUnderTest>): void {
  describe(`${name}: etcd3 npm client and etcdctl`, () => {
    let underTest: BackendUnderTest;
    let harness: Harness;
    let client: Etcd3;

    beforeAll(async () => {
      underTest = await makeBackend();
      harness = await startHarness(underTest.backend);
      client = new Etcd3({ hosts: harness.endpoint });
    });

    afterAll(async () => {
      client.close();
      await harness.close();
      await underTest.close();
    });

    it('etcd3: put, get, getAll by prefix, delete', async () => {
      await client.put('e3/a').value('1');
      await client.put('e3/b').value('2');
      await client.put('e3c').value('3');
      expect(await client.get('e3/a').string()).toBe('1');
      expect(await client.getAll().prefix('e3/').strings()).toEqual({ 'e3/a': '1', 'e3/b': '2' });
      expect(await client.getAll().prefix('e3/').count()).toBe(2);
      const deleted = await client.delete().key('e3/a');
      expect(deleted.deleted).toBe('1');
      expect(await client.get('e3/a').string()).toBeNull();
    });

    it('etcd3: txn with if/then/else', async () => {
      await client.put('e3txn/k').value('v1');
      const hit = await client.if('e3txn/k', 'Value', '==', 'v1').then(client.put('e3txn/k').value('v2')).else(client.put('e3txn/other').value('x')).commit();
      expect(hit.succeeded).toBe(true);
      const miss = await client.if('e3txn/k', 'Value', '==', 'v1').then(client.put('e3txn/k').value('v3')).else(client.get('e3txn/k')).commit();
      expect(miss.succeeded).toBe(false);
      expect(miss.responses[0]?.response_range?.kvs[0]?.value.toString()).toBe('v2');
      const created = await client.if('e3txn/new', 'Create', '==', 0).then(client.put('e3txn/new').value('n')).commit();
      expect(created.succeeded).toBe(true);
    });

    it('etcd3: lease grant, keep-alive, revoke deletes attached keys', async () => {
      const lease: Lease = client.lease(3, { autoKeepAlive: true });
      const id = await lease.grant();
      expect(Number(id)).toBeGreaterThan(0);
      await lease.put('e3lease/k').value('held');
      let keptAlive = 0;
      lease.on('keepaliveSucceeded', () => {
        keptAlive += 1;
      });
      await eventually(() => keptAlive > 0, 4_000, 'a keep-alive');
      const ttl = await harness.raw.call<{ TTL: string }>('Lease', 'LeaseTimeToLive', { ID: id });
      expect(Number(ttl.TTL)).toBeGreaterThan(0);
      await lease.revoke();
      expect(await client.get('e3lease/k').string()).toBeNull();
    });

    it('etcd3: watch sees puts and deletes', async () => {
      const watcher = await client.watch().prefix('e3watch/').create();
      const seen: string[] = [];
      watcher.on('put', (kv) => seen.push(`put ${kv.key.toString()}=${kv.value.toString()}`));
      watcher.on('delete', (kv) => seen.push(`delete ${kv.key.toString()}`));
      await client.put('e3watch/a').value('1');
      await client.delete().key('e3watch/a');
      await eventually(() => seen.length === 2, 5_000, 'watch events');
      expect(seen).toEqual(['put e3watch/a=1', 'delete e3watch/a']);
      await watcher.cancel();
    });

    it('etcdctl: put, get --prefix, del', async () => {
      expect((await etcdctl(harness.endpoint, ['put', 'ctl/a', 'alpha'])).stdout).toBe('OK\n');
      await etcdctl(harness.endpoint, ['put', 'ctl/b', 'beta']);
      const got = await etcdctl(harness.endpoint, ['get', 'ctl/', '--prefix']);
      expect(got.stdout).toBe('ctl/a\nalpha\nctl/b\nbeta\n');
      const json = JSON.parse((await etcdctl(harness.endpoint, ['get', 'ctl/a', '-w', 'json'])).stdout) as { kvs: { version: number }[] };
      expect(json.kvs[0]?.version).toBe(1);
      expect((await etcdctl(harness.endpoint, ['del', 'ctl/', '--prefix'])).stdout).toBe('2\n');
      expect((await etcdctl(harness.endpoint, ['get', 'ctl/', '--prefix'])).stdout).toBe('');
    });

    it('etcdctl: txn in interactive mode', async () => {
      await etcdctl(harness.endpoint, ['put', 'ctltxn/k', 'one']);
      const script = 'value("ctltxn/k") = "one"\n\nput ctltxn/k two\n\nput ctltxn/k failed\n\n';
      const result = await etcdctl(harness.endpoint, ['txn', '-i'], script);
      expect(result.stdout).toContain('SUCCESS');
      expect((await etcdctl(harness.endpoint, ['get', 'ctltxn/k', '--print-value-only'])).stdout).toBe('two\n');
      const again = await etcdctl(harness.endpoint, ['txn', '-i'], script);
      expect(again.stdout).toContain('FAILURE');
      expect((await etcdctl(harness.endpoint, ['get', 'ctltxn/k', '--print-value-only'])).stdout).toBe('failed\n');
    });

    it('etcdctl: watch prints events as they happen', async () => {
      const watch = etcdctlWatch(harness.endpoint, ['ctlwatch/', '--prefix']);
      try {
        // etcdctl prints nothing when its watch is created, so retry puts until one is seen.
        await eventually(() => {
          void etcdctl(harness.endpoint, ['put', 'ctlwatch/probe', 'p']);
          return watch.output().includes('ctlwatch/probe');
        }, 10_000, 'etcdctl watch output');
        await etcdctl(harness.endpoint, ['put', 'ctlwatch/x', 'y']);
        await etcdctl(harness.endpoint, ['del', 'ctlwatch/x']);
        await eventually(() => watch.output().includes('DELETE\nctlwatch/x\n'), 5_000, 'delete event');
        expect(watch.output()).toContain('PUT\nctlwatch/x\ny\n');
      } finally {
        await watch.stop();
      }
    });

    it('etcdctl: lease grant, timetolive, put --lease, revoke', async () => {
      const granted = await etcdctl(harness.endpoint, ['lease', 'grant', '60']);
      const match = /^lease ([0-9a-f]+) granted with TTL\((\d+)s\)/.exec(granted.stdout);
      expect(match, granted.stdout + granted.stderr).not.toBeNull();
      const id = match?.[1] ?? '';
      expect((await etcdctl(harness.endpoint, ['put', 'ctllease/k', 'v', `--lease=${id}`])).stdout).toBe('OK\n');
      const ttl = await etcdctl(harness.endpoint, ['lease', 'timetolive', id, '--keys']);
      expect(ttl.stdout).toMatch(/granted with TTL\(60s\), remaining\(\d+s\), attached keys\(\[ctllease\/k\]\)/);
      expect((await etcdctl(harness.endpoint, ['lease', 'revoke', id])).stdout).toContain('revoked');
      expect((await etcdctl(harness.endpoint, ['get', 'ctllease/k'])).stdout).toBe('');
      const gone = await etcdctl(harness.endpoint, ['lease', 'timetolive', id]);
      expect(gone.stdout).toContain('already expired');
    });

    it('etcdctl: member list and endpoint status', async () => {
      const members = await etcdctl(harness.endpoint, ['member', 'list', '-w', 'json']);
      const list = JSON.parse(members.stdout) as { members: { ID: number }[] };
      expect(list.members.length).toBeGreaterThanOrEqual(1);
      const status = await etcdctl(harness.endpoint, ['endpoint', 'status', '-w', 'json']);
      const parsed = JSON.parse(status.stdout) as { Status: { version: string; leader: number; header: { revision: number } } }[];
      expect(parsed[0]?.Status.version).toMatch(/^3\.4\./);
      expect(parsed[0]?.Status.header.revision).toBeGreaterThan(0);
      expect((await etcdctl(harness.endpoint, ['endpoint', 'health'])).stderr).toContain('is healthy');
    });

    it('etcdctl: compaction, then reading a compacted revision fails with etcd\'s error', async () => {
      await etcdctl(harness.endpoint, ['put', 'ctlcompact/k', 'v1']);
      const first = JSON.parse((await etcdctl(harness.endpoint, ['get', 'ctlcompact/k', '-w', 'json'])).stdout) as {
        header: { revision: number };
      };
      await etcdctl(harness.endpoint, ['put', 'ctlcompact/k', 'v2']);
      const old = first.header.revision;
      expect((await etcdctl(harness.endpoint, ['get', 'ctlcompact/k', `--rev=${old}`, '--print-value-only'])).stdout).toBe('v1\n');
      const compacted = await etcdctl(harness.endpoint, ['compaction', String(old + 1)]);
      expect(compacted.stdout).toBe(`compacted revision ${old + 1}\n`);
      const failed = await etcdctl(harness.endpoint, ['get', 'ctlcompact/k', `--rev=${old}`]);
      expect(failed.code).not.toBe(0);
      expect(failed.stderr).toContain('Error: etcdserver: mvcc: required revision has been compacted');
      const future = await etcdctl(harness.endpoint, ['get', 'ctlcompact/k', '--rev=100000000']);
      expect(future.stderr).toContain('Error: etcdserver: mvcc: required revision is a future revision');
    });

    it('etcdctl: refused keys get clear errors', async () => {
      const tooLarge = await etcdctl(harness.endpoint, ['put', 'k'.repeat(2000), 'v']);
      expect(tooLarge.code).not.toBe(0);
      // Not an etcd error, so etcdctl shows the raw status: code and our message.
      expect(tooLarge.stderr).toContain('code = InvalidArgument desc = etcdserver: key is too large (2000 bytes, limit 1536)');
      const empty = await etcdctl(harness.endpoint, ['put', '', 'v']);
      expect(empty.stderr).toContain('Error: etcdserver: key is not provided');
    });
  });
}
