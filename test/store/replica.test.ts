import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../common/index.ts';
import type { RaftNodeOptionsInput } from '../../raft/node.ts';
import type { Replica } from '../../store/index.ts';
import { bytes, contents, eventually, fastRaft, host, localGet, putOnLeader, ReplicaCluster, sleep, text } from './replica-harness.ts';

const signal = new AbortController().signal;
const call = { signal };
const read = { signal, serializable: false };

const snapshotRaft: RaftNodeOptionsInput = {
  ...fastRaft,
  raft: { ...fastRaft.raft, snapshotEntriesThreshold: 20, snapshotTrailingEntries: 5 },
};

function put(key: string, value: string, lease = 0) {
  return { key: bytes(key), value: bytes(value), lease, prevKv: false, ignoreValue: false, ignoreLease: false };
}

function get(key: string) {
  return {
    key: bytes(key), rangeEnd: new Uint8Array(0), limit: 0, revision: 0, sortOrder: 'none', sortTarget: 'key',
    keysOnly: false, countOnly: false, minModRevision: 0, maxModRevision: 0, minCreateRevision: 0, maxCreateRevision: 0,
  } as const;
}

async function hashes(replicas: readonly Replica[]): Promise<string[]> {
  return Promise.all(replicas.map(async (replica) => JSON.stringify(await replica.read((store) => store.hashKv()))));
}

async function retryPending<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if ((error as { code?: string }).code !== 'RAFT_MEMBERSHIP_CHANGE_PENDING' || attempt > 100) throw error;
      await sleep(50);
    }
  }
}

describe('Replica: 3 in-process replicas over real TCP and LevelDB', () => {
  let cluster: ReplicaCluster | null = null;

  afterEach(async () => {
    await cluster?.stop();
    cluster = null;
  });

  it('a write through the leader is visible on every replica after ReadIndex; hashes agree', async () => {
    cluster = await ReplicaCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    const backend = cluster.backend(leader);
    const written = await backend.put(put('greeting', 'hello'), call);
    expect(written.header.revision).toBeGreaterThan(1);
    for (const replica of cluster.replicas.values()) {
      // Linearizable read on each member: ReadIndex (forwarded by followers), then the local store.
      const response = await cluster.backend(replica).range(get('greeting'), read);
      expect(response.kvs.map((kv) => text(kv.value))).toEqual(['hello']);
    }
    for (let i = 0; i < 30; i++) await backend.put(put(`k${i}`, `v${i}`), call);
    const txn = await backend.txn(
      { compare: [{ key: bytes('k1'), rangeEnd: new Uint8Array(0), result: 'equal', target: 'value', value: bytes('v1') }], success: [{ type: 'put', request: put('k1', 'swapped') }], failure: [] },
      call,
    );
    expect(txn.succeeded).toBe(true);
    const replicas = [...cluster.replicas.values()];
    await eventually(async () => new Set(await hashes(replicas)).size === 1 && replicas.every((r) => r.store.revision === leader.store.revision), 5_000, 'equal hashes');
    expect(await localGet(cluster.replica('n3'), 'k1')).toBe('swapped');
    // A write through a follower is forwarded to the leader and answered once applied there... and here.
    const follower = replicas.find((replica) => replica !== leader) as Replica;
    const viaFollower = await cluster.backend(follower).put(put('via-follower', 'yes'), call);
    expect(viaFollower.header.revision).toBeGreaterThan(written.header.revision);
    expect(await localGet(follower, 'via-follower')).toBe('yes');
  });

  it('lease expiry decided by the leader deletes attached keys on every replica', async () => {
    cluster = await ReplicaCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    const backend = cluster.backend(leader);
    const grant = await backend.leaseGrant({ ttlSeconds: 1, id: 0 }, call);
    expect(grant.ttlSeconds).toBe(1);
    await backend.put(put('ephemeral', 'soon gone', grant.id), call);
    await backend.put(put('durable', 'stays'), call);
    const follower = [...cluster.replicas.values()].find((replica) => replica !== leader) as Replica;
    // (A follower would ask the leader's client API; this harness serves none, so ask the leader.)
    const ttl = await backend.leaseTimeToLive(grant.id, true, call);
    expect(ttl.grantedTtlSeconds).toBe(1);
    expect(ttl.keys.map(text)).toEqual(['ephemeral']);
    expect(follower.store.leases().map((lease) => lease.id)).toContain(grant.id);
    for (const replica of cluster.replicas.values()) {
      await eventually(async () => (await localGet(replica, 'ephemeral')) === null, 6_000, `expiry on ${replica.name}`);
      expect(await localGet(replica, 'durable')).toBe('stays');
      expect(replica.store.leases()).toEqual([]);
    }
    const replicas = [...cluster.replicas.values()];
    await eventually(async () => new Set(await hashes(replicas)).size === 1, 5_000, 'equal hashes');
  });

  it('a keepalive on the leader keeps a lease alive past its TTL', async () => {
    cluster = await ReplicaCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    const backend = cluster.backend(leader);
    const grant = await backend.leaseGrant({ ttlSeconds: 1, id: 0 }, call);
    await backend.put(put('kept', 'alive', grant.id), call);
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      expect((await backend.leaseKeepAlive(grant.id, call)).ttlSeconds).toBe(1);
    }
    expect(await localGet(cluster.replica('n2'), 'kept')).toBe('alive');
    await backend.leaseRevoke(grant.id, call);
    await expect(backend.leaseKeepAlive(grant.id, call)).rejects.toMatchObject({ code: 'STORE_LEASE_NOT_FOUND' });
  });

  it('a replica that was down catches up by snapshot; all restart from their data dirs', async () => {
    cluster = await ReplicaCluster.start(['n1', 'n2', 'n3'], snapshotRaft);
    await cluster.waitForLeader();
    await putOnLeader(cluster, 'before', '1');
    await eventually(async () => (await localGet(cluster!.replica('n3'), 'before')) === '1', 5_000, 'n3 has the first write');
    await cluster.stopReplica('n3');
    for (let i = 0; i < 100; i++) await putOnLeader(cluster, `lag/${i}`, `${i}`);
    const n3 = await cluster.startReplica('n3');
    await eventually(async () => (await localGet(n3, 'lag/99')) === '99', 15_000, 'n3 to catch up');
    expect(n3.status().snapshotIndex).toBeGreaterThan(0);
    const replicas = [...cluster.replicas.values()];
    await eventually(async () => new Set(await hashes(replicas)).size === 1, 5_000, 'equal hashes');
    const before = await contents(cluster.replica('n1'));
    expect(Object.keys(before)).toHaveLength(101);

    // Restart every replica from its data directory: same contents, and writes go on.
    for (const name of ['n1', 'n2', 'n3']) await cluster.stopReplica(name);
    await Promise.all(['n1', 'n2', 'n3'].map((name) => cluster!.startReplica(name)));
    await cluster.waitForLeader();
    for (const replica of cluster.replicas.values()) expect(await contents(replica)).toEqual(before);
    await putOnLeader(cluster, 'after', 'restart');
    await eventually(async () => (await localGet(cluster!.replica('n2'), 'after')) === 'restart', 5_000, 'a write after restart');
  });

  it('member add --learner: a new member catches up by snapshot, is promoted; removing the leader keeps the cluster available', async () => {
    cluster = await ReplicaCluster.start(['n1', 'n2', 'n3'], snapshotRaft);
    let leader = await cluster.waitForLeader();
    for (let i = 0; i < 60; i++) await putOnLeader(cluster, `data/${i}`, `${i}`);
    const port = await findFreePort();
    const peerUrl = `http://${host}:${port}`;
    const added = await cluster.backend(leader).memberAdd([peerUrl], true, call);
    expect(added.member).toMatchObject({ name: '', isLearner: true, peerUrls: [peerUrl] });
    expect(added.members).toHaveLength(4);

    const n4 = await cluster.startReplica('n4', {
      state: 'existing',
      initialCluster: [...cluster.initialCluster, { name: 'n4', address: { host, port } }],
    });
    await eventually(async () => (await localGet(n4, 'data/59')) === '59', 15_000, 'n4 to catch up');
    expect(n4.status().snapshotIndex).toBeGreaterThan(0);
    expect(n4.status().membership.learners).toContain(n4.nodeId);

    leader = await cluster.waitForLeader();
    await eventually(() => (leader.status().progress[n4.nodeId]?.matchIndex ?? 0) >= leader.status().commitIndex, 5_000, 'n4 in sync');
    const promoted = await retryPending(() => cluster!.backend(leader).memberPromote(n4.memberId, call));
    expect(promoted.members.find((member) => member.id === n4.memberId)?.isLearner).toBe(false);
    await eventually(() => leader.status().membership.voters.length === 4 && leader.status().membership.votersOutgoing.length === 0, 5_000, 'C(new)');
    // It publishes its own name (a proposal forwarded to the leader), as etcd members do.
    await eventually(() => leader.members().find((member) => member.nodeId === n4.nodeId)?.name === 'n4', 5_000, 'n4 to publish its name');

    // Remove the leader: the others elect a new one and keep serving writes.
    const removedName = leader.name;
    let removedSignalled = false;
    leader.onRemoved(() => {
      removedSignalled = true;
    });
    // C(new) is appended before it commits: until then another change is refused as pending.
    await retryPending(() => cluster!.backend(leader).memberRemove(leader.memberId, call));
    await eventually(() => removedSignalled, 10_000, 'the removed leader to notice');
    await cluster.stopReplica(removedName);
    const next = await cluster.waitForLeader();
    expect(next.name).not.toBe(removedName);
    await putOnLeader(cluster, 'after-removal', 'ok');
    for (const replica of cluster.replicas.values()) {
      await eventually(async () => (await localGet(replica, 'after-removal')) === 'ok', 5_000, `write on ${replica.name}`);
      expect(replica.members().map((member) => member.nodeId)).not.toContain(removedName);
    }
    const replicas = [...cluster.replicas.values()];
    await eventually(async () => new Set(await hashes(replicas)).size === 1, 5_000, 'equal hashes');
  });
});
