import { afterEach, describe, expect, it } from 'vitest';
import { isFlotillaError } from '../../common/index.ts';
import { command, proposeOnLeader, TestCluster, waitFor } from './node-harness.ts';

let cluster: TestCluster | null = null;

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

function allApplied(c: TestCluster, key: string, value: number): boolean {
  return [...c.replicas.values()].every((replica) => replica.stateMachine.map.get(key) === value);
}

describe('RaftNode over TCP + LevelDB (3 replicas in one process)', () => {
  it('elects a leader; proposals resolve with their result and apply everywhere', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => leader.node.propose(command(`k${i}`, i))));
    const indexes = outcomes.map((outcome) => outcome.index);
    expect(new Set(indexes).size).toBe(20);
    // Results are the leader's running count of applied sets: 1..20 in index order.
    const sorted = [...outcomes].sort((a, b) => a.index - b.index).map((outcome) => outcome.result);
    expect(sorted).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const c = cluster;
    await waitFor(() => allApplied(c, 'k19', 19));
    for (const replica of c.replicas.values()) expect(replica.stateMachine.map.size).toBe(20);
  });

  it('forwards a follower\'s proposal to the leader and resolves it with the result applied there', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    const follower = [...cluster.replicas.values()].find((replica) => replica.id !== leader.id);
    if (follower === undefined) throw new Error('no follower');
    const outcomes = await Promise.all([1, 2, 3].map((value) => follower.node.propose(command(`f${value}`, value))));
    expect(new Set(outcomes.map((outcome) => outcome.index)).size).toBe(3);
    for (const replica of cluster.replicas.values()) {
      await waitFor(() => replica.stateMachine.map.get('f3') === 3);
      expect([1, 2, 3].map((value) => replica.stateMachine.map.get(`f${value}`))).toEqual([1, 2, 3]);
    }
  });

  it('holds no LevelDB batch open across Readies: heartbeats and reads persist nothing, and leak nothing', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3'], { tickMs: 10 });
    const leader = await cluster.waitForLeader();
    await leader.node.propose(command('w', 1));
    // A second of 10 ms heartbeats (100 Readies of messages only on the leader) and 50 reads.
    for (let read = 0; read < 50; read++) await leader.node.readIndex({ timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await leader.node.propose(command('w', 2));
    // Every batch a Ready took is written or discarded by the time the Ready is done (at most one in flight).
    for (const replica of cluster.replicas.values()) expect(replica.log.openBatches).toBeLessThanOrEqual(1);
  });

  it('serves linearizable reads (readIndex) on the leader and on followers', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    await leader.node.propose(command('r', 7));
    for (const replica of cluster.replicas.values()) {
      await replica.node.readIndex({ timeoutMs: 5000 });
      // Once readIndex resolves, the write that completed before it is visible here.
      expect(replica.stateMachine.map.get('r')).toBe(7);
    }
  });

  it('fails over when the leader stops; proposals continue on the new leader', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const first = await cluster.waitForLeader();
    await first.node.propose(command('before', 1));
    const stoppedAt = Date.now();
    await cluster.stopReplica(first.id);
    const second = await cluster.waitForLeader();
    const failoverMs = Date.now() - stoppedAt;
    expect(second.id).not.toBe(first.id);
    expect(failoverMs).toBeLessThan(3000);
    await proposeOnLeader(cluster, 'after', 2);
    const c = cluster;
    await waitFor(() => allApplied(c, 'after', 2) && allApplied(c, 'before', 1));
  });

  it('restarts a stopped replica from its data directory and catches it up', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    for (let i = 0; i < 10; i++) await leader.node.propose(command(`a${i}`, i));
    const follower = [...cluster.replicas.values()].find((replica) => replica.id !== leader.id);
    if (follower === undefined) throw new Error('no follower');
    await cluster.stopReplica(follower.id);
    for (let i = 0; i < 10; i++) await proposeOnLeader(cluster, `b${i}`, i);
    const restarted = await cluster.startReplica(follower.id);
    cluster.connectAll();
    // Its LevelDB log and hard state survived: it knows its term before hearing from anyone.
    expect(restarted.node.status().term).toBeGreaterThan(0);
    await waitFor(() => restarted.stateMachine.map.get('b9') === 9 && restarted.stateMachine.map.get('a9') === 9);
    expect(restarted.stateMachine.map.size).toBe(20);
  });

  it('catches a lagging replica up by snapshot when the leader has compacted its log', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3'], {
      raft: { snapshotEntriesThreshold: 20, snapshotTrailingEntries: 2, snapshotChunkBytes: 256 },
    });
    const leader = await cluster.waitForLeader();
    const lagging = [...cluster.replicas.values()].find((replica) => replica.id !== leader.id);
    if (lagging === undefined) throw new Error('no follower');
    await cluster.stopReplica(lagging.id);
    for (let i = 0; i < 80; i++) await proposeOnLeader(cluster, `s${i}`, i);
    const c = cluster;
    await waitFor(() => [...c.replicas.values()].every((replica) => replica.node.status().snapshotIndex > 20));
    const restarted = await cluster.startReplica(lagging.id);
    cluster.connectAll();
    await waitFor(() => restarted.stateMachine.map.get('s79') === 79, 15_000);
    expect(restarted.stateMachine.restores).toBeGreaterThanOrEqual(1);
    expect(restarted.stateMachine.map.size).toBe(80);
    expect(restarted.node.status().snapshotIndex).toBeGreaterThan(20);
  });
});

describe('RaftNode proposal outcomes', () => {
  it('rejects a proposal whose entry a new leader overwrote (it does not hang)', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const c = cluster;
    const old = await c.waitForLeader();
    // Cut the leader off: it still accepts a proposal (appended locally) that can never commit.
    await old.transport.stop();
    const doomed = old.node.propose(command('lost', 1), { timeoutMs: 20_000 }).catch((error: unknown) => error);
    const others = [...c.replicas.values()].filter((replica) => replica.id !== old.id);
    await waitFor(() => others.some((replica) => replica.node.status().role === 'leader'));
    const leader = others.find((replica) => replica.node.status().role === 'leader');
    await leader?.node.propose(command('won', 2));
    // Reconnect it: the new leader's entries replace its uncommitted one.
    await old.transport.start();
    c.addresses.set(old.id, old.transport.address());
    c.connectAll();
    const error = await doomed;
    expect(isFlotillaError(error, 'RAFT_NOT_LEADER')).toBe(true);
    expect(isFlotillaError(error) && error.details['outcome']).toBe('failed');
    await waitFor(() => old.stateMachine.map.get('won') === 2);
    expect(old.stateMachine.map.has('lost')).toBe(false);
  });

  it('times out a proposal that cannot commit, and stop() fails the rest with RAFT_STOPPED', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    await leader.transport.stop();
    const timedOut: unknown = await leader.node.propose(command('t', 1), { timeoutMs: 100 }).catch((error: unknown) => error);
    expect(isFlotillaError(timedOut, 'RAFT_TIMEOUT')).toBe(true);
    const controller = new AbortController();
    const aborted = leader.node.propose(command('t', 2), { signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    expect(isFlotillaError(await aborted, 'RAFT_TIMEOUT')).toBe(true);
    const pending = leader.node.propose(command('t', 3)).catch((error: unknown) => error);
    const read = leader.node.readIndex().catch((error: unknown) => error);
    await cluster.stopReplica(leader.id);
    expect(isFlotillaError(await pending, 'RAFT_STOPPED')).toBe(true);
    expect(isFlotillaError(await read, 'RAFT_STOPPED')).toBe(true);
    expect(isFlotillaError(await leader.node.propose(command('t', 4)).catch((error: unknown) => error), 'RAFT_STOPPED')).toBe(true);
  });

  it('transfers leadership on request and reports leader changes', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const leader = await cluster.waitForLeader();
    const target = [...cluster.replicas.values()].find((replica) => replica.id !== leader.id);
    if (target === undefined) throw new Error('no follower');
    const changes: Array<string | null> = [];
    target.node.onLeaderChange((change) => changes.push(change.leaderId));
    await leader.node.transferLeader(target.id, { timeoutMs: 5000 });
    await waitFor(() => target.node.status().role === 'leader');
    expect(changes).toContain(target.id);
    await target.node.propose(command('after-transfer', 1));
  });
});

describe('RaftNode restarts', () => {
  it('restarts the whole cluster from disk with every write intact', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3'], { raft: { snapshotEntriesThreshold: 15, snapshotTrailingEntries: 3 } });
    const c = cluster;
    for (let i = 0; i < 40; i++) await proposeOnLeader(c, `w${i}`, i);
    await waitFor(() => allApplied(c, 'w39', 39));
    for (const id of c.ids) await c.stopReplica(id);
    for (const id of c.ids) await c.startReplica(id);
    c.connectAll();
    // The in-test state machine is in memory: it comes back from the snapshot plus the log after it.
    await waitFor(() => allApplied(c, 'w39', 39) && [...c.replicas.values()].every((replica) => replica.stateMachine.map.size === 40));
    await c.waitForLeader();
    await proposeOnLeader(c, 'fresh', 1);
    await waitFor(() => allApplied(c, 'fresh', 1));
  });
});

describe('RaftNode failover time (defaults: 50 ms tick, election timeout 6-12 ticks)', () => {
  // Failover time is a benchmark figure (npm run bench -- failover); this checks repeated failovers work.
  it('fails over repeatedly: every stopped leader is replaced and writes continue', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const c = cluster;
    const samples: number[] = [];
    for (let round = 0; round < 5; round++) {
      const leader = await c.waitForLeader();
      await proposeOnLeader(c, `round${round}`, round);
      await waitFor(() => allApplied(c, `round${round}`, round));
      const stoppedAt = Date.now();
      await c.stopReplica(leader.id);
      await c.waitForLeader();
      samples.push(Date.now() - stoppedAt);
      await c.startReplica(leader.id);
      c.connectAll();
    }
    console.info(`failover samples (ms): ${samples.join(', ')}`);
    expect(samples).toHaveLength(5);
    await proposeOnLeader(c, 'after', 1);
    await waitFor(() => allApplied(c, 'after', 1));
  });
});

describe('RaftNode storage failure', () => {
  it('stops itself (and says why) when a persist fails; the rest of the cluster carries on', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const c = cluster;
    const leader = await c.waitForLeader();
    const follower = [...c.replicas.values()].find((replica) => replica.id !== leader.id);
    if (follower === undefined) throw new Error('no follower');
    await follower.db.close();
    await leader.node.propose(command('x', 1));
    await waitFor(() => follower.node.status().failure !== null);
    expect(isFlotillaError(await follower.node.readIndex().catch((error: unknown) => error), 'RAFT_STOPPED')).toBe(true);
    await leader.node.propose(command('y', 2));
  });
});

describe('RaftNode membership changes', () => {
  it('adds a learner, promotes it to voter, and it holds the data', async () => {
    cluster = await TestCluster.start(['n1', 'n2', 'n3']);
    const c = cluster;
    const leader = await c.waitForLeader();
    for (let i = 0; i < 5; i++) await leader.node.propose(command(`m${i}`, i));
    // A joining member starts with an empty membership and learns the real one from the leader.
    const joiner = await c.startReplica('n4', { voters: [], learners: [], votersOutgoing: [] });
    c.connectAll();
    const added = await leader.node.proposeMembershipChange({ steps: [{ type: 'add-learner', id: 'n4' }] });
    expect(added.index).toBeGreaterThan(0);
    await waitFor(() => joiner.stateMachine.map.get('m4') === 4);
    await waitFor(() => leader.node.status().membership.votersOutgoing.length === 0);
    await leader.node.proposeMembershipChange({ steps: [{ type: 'promote-learner', id: 'n4' }] });
    await waitFor(() => {
      const membership = leader.node.status().membership;
      return membership.voters.includes('n4') && membership.votersOutgoing.length === 0;
    });
    await proposeOnLeader(c, 'with-four', 1);
    await waitFor(() => joiner.stateMachine.map.get('with-four') === 1);
  });
});
