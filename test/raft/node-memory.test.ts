import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/index.ts';
import { MemoryBatch } from '../../raft/index.ts';
import { MemoryLogStorage } from '../../raft/index.ts';
import { MemorySnapshotStore } from '../../raft/index.ts';
import { MemoryStableStorage } from '../../raft/index.ts';
import { MemoryNetwork, type MemoryTransport } from '../../raft/index.ts';
import { RaftNode, type RaftNodeOptionsInput } from '../../raft/index.ts';
import type { NodeId } from '../../raft/index.ts';
import { command, MapStateMachine, membershipOf, testEnv, waitFor } from './node-harness.ts';

/** What survives a "restart" of an in-memory replica: its storages (the state machine does not). */
interface Disk {
  readonly log: MemoryLogStorage;
  readonly stable: MemoryStableStorage;
  readonly snapshots: MemorySnapshotStore;
}

interface MemoryReplica {
  readonly node: RaftNode<MemoryBatch, number>;
  readonly stateMachine: MapStateMachine<MemoryBatch>;
  readonly transport: MemoryTransport;
}

const ids: readonly NodeId[] = ['m1', 'm2', 'm3'];
const options: RaftNodeOptionsInput = { tickMs: 10, raft: { snapshotEntriesThreshold: 10, snapshotTrailingEntries: 1, snapshotChunkBytes: 64 } };
let running: MemoryReplica[] = [];

async function startMemoryReplica(network: MemoryNetwork, id: NodeId, disk: Disk, seed: number): Promise<MemoryReplica> {
  const stateMachine = new MapStateMachine<MemoryBatch>();
  const transport = network.transport(id);
  const node = await RaftNode.start({
    id,
    initialMembership: membershipOf(ids),
    env: testEnv(seed),
    logger: silentLogger,
    ...disk,
    transport,
    stateMachine,
    options,
  });
  const replica = { node, stateMachine, transport };
  running.push(replica);
  return replica;
}

afterEach(async () => {
  for (const replica of running) await replica.node.stop();
  running = [];
});

describe('RaftNode with the in-memory ports', () => {
  it('replicates, snapshots, restarts a replica from its storages and catches a lagging one up by snapshot', async () => {
    const network = new MemoryNetwork();
    const disks = new Map(ids.map((id) => [id, { log: new MemoryLogStorage(), stable: new MemoryStableStorage(), snapshots: new MemorySnapshotStore() }]));
    const replicas = new Map<NodeId, MemoryReplica>();
    for (const [position, id] of ids.entries()) replicas.set(id, await startMemoryReplica(network, id, disks.get(id) as Disk, position + 1));
    const leaderOf = (): MemoryReplica | undefined => [...replicas.values()].find((replica) => replica.node.status().role === 'leader');
    await waitFor(() => leaderOf() !== undefined);
    const leader = leaderOf() as MemoryReplica;
    const lagging = [...replicas.entries()].find(([, replica]) => replica !== leader);
    if (lagging === undefined) throw new Error('no follower');
    const [laggingId, laggingReplica] = lagging;
    await laggingReplica.node.stop();
    for (let i = 0; i < 50; i++) await leader.node.propose(command(`k${i}`, i));
    await waitFor(() => leader.node.status().snapshotIndex >= 40);
    // The stored log was compacted along with the core's.
    expect((disks.get(leader.node.id) as Disk).log.firstIndex()).toBeGreaterThan(10);
    const restarted = await startMemoryReplica(network, laggingId, disks.get(laggingId) as Disk, 99);
    await waitFor(() => restarted.stateMachine.map.get('k49') === 49);
    expect(restarted.stateMachine.restores).toBeGreaterThanOrEqual(1);
    expect(restarted.stateMachine.map.size).toBe(50);
  });
});
