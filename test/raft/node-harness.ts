/**
 * Test harness for RaftNode: a tiny replicated Map as the state machine, and replicas wired with
 * real LevelDB (temp dirs) + real TCP on 127.0.0.1, or with the in-memory ports.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { createPrng, decode, encode, realClock, realTimers, silentLogger, type Env } from '../../common/index.ts';
import type { Entry, Membership, NodeId, SnapshotMetadata } from '../../raft/index.ts';
import { RaftNode, type RaftNodeOptionsInput } from '../../raft/index.ts';
import type { PreparedApply, StateMachine, StateMachineSnapshot } from '../../raft/index.ts';
import { TcpTransport, type PeerAddress } from '../../raft/index.ts';
import { LevelLogStorage } from '../../store/level-log-storage.ts';
import { LevelStableStorage } from '../../store/level-stable-storage.ts';
import { FileSnapshotStore } from '../../store/file-snapshot-store.ts';
import type { LevelBatch } from '../../store/level-raft-keys.ts';
import { BatchAccountingLog } from './batch-accounting-log.ts';

export interface SetCommand {
  readonly key: string;
  readonly value: number;
}

export function command(key: string, value: number): Uint8Array {
  return encode({ key, value } satisfies SetCommand);
}

/** A Map<string, number>; each `set` returns how many sets this replica has applied so far. */
export class MapStateMachine<Batch> implements StateMachine<Batch, number> {
  readonly map = new Map<string, number>();
  private applied = 0;
  private sets = 0;
  restores = 0;

  get appliedIndex(): number {
    return this.applied;
  }

  /** Staged like the real store: nothing is visible until `commit()`. */
  prepareApply(entries: readonly Entry[]): Promise<PreparedApply<number>> {
    const outcomes = new Map<number, number>();
    const writes: SetCommand[] = [];
    let sets = this.sets;
    for (const [offset, entry] of entries.entries()) {
      if (entry.index !== this.applied + 1 + offset) throw new Error(`applied ${entry.index} after ${this.applied + offset}`);
      if (entry.type !== 'normal') continue;
      writes.push(decode<SetCommand>(entry.data));
      outcomes.set(entry.index, ++sets);
    }
    const last = entries[entries.length - 1]?.index ?? this.applied;
    return Promise.resolve({
      outcomes,
      commit: () => {
        for (const { key, value } of writes) this.map.set(key, value);
        this.applied = last;
        this.sets = sets;
      },
      abandon: () => undefined,
    });
  }

  takeSnapshot(): Promise<StateMachineSnapshot> {
    const bytes = encode({ applied: this.applied, sets: this.sets, entries: [...this.map] });
    // Split in pieces so that chunked transfer is exercised with small chunk sizes.
    async function* data(): AsyncIterable<Uint8Array> {
      for (let offset = 0; offset < bytes.length; offset += 100) yield bytes.subarray(offset, offset + 100);
    }
    return Promise.resolve({ index: this.applied, sizeBytes: bytes.length, data: data() });
  }

  async restore(metadata: SnapshotMetadata, data: AsyncIterable<Uint8Array>): Promise<void> {
    const parts: Uint8Array[] = [];
    for await (const part of data) parts.push(part);
    const state = decode<{ applied: number; sets: number; entries: Array<[string, number]> }>(Buffer.concat(parts));
    if (state.applied !== metadata.index) throw new Error(`snapshot data at ${state.applied}, metadata says ${metadata.index}`);
    this.map.clear();
    for (const [key, value] of state.entries) this.map.set(key, value);
    this.applied = state.applied;
    this.sets = state.sets;
    this.restores++;
  }
}

export function testEnv(seed: number): Env {
  return { clock: realClock, timers: realTimers, prng: createPrng(seed) };
}

export function membershipOf(ids: readonly NodeId[]): Membership {
  return { voters: [...ids], learners: [], votersOutgoing: [] };
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;
type Batch = LevelBatch;

export interface Replica {
  readonly id: NodeId;
  readonly directory: string;
  readonly db: Db;
  readonly transport: TcpTransport;
  readonly stateMachine: MapStateMachine<Batch>;
  readonly node: RaftNode<Batch, number>;
  /** The node's log, counting the LevelDB batches it holds open. */
  readonly log: BatchAccountingLog<Batch>;
}

/** A cluster of replicas in this process; each has its own LevelDB, snapshot dir and TCP port. */
export class TestCluster {
  readonly replicas = new Map<NodeId, Replica>();
  readonly addresses = new Map<NodeId, PeerAddress>();
  private seed = 1;

  private constructor(
    readonly root: string,
    readonly ids: readonly NodeId[],
    readonly options: RaftNodeOptionsInput,
  ) {}

  static async start(ids: readonly NodeId[], options: RaftNodeOptionsInput = {}): Promise<TestCluster> {
    const cluster = new TestCluster(await mkdtemp(join(tmpdir(), 'flotilla-raft-node-')), ids, options);
    for (const id of ids) await cluster.startReplica(id);
    cluster.connectAll();
    return cluster;
  }

  /** Starts (or restarts, from its data directory and on its old port) one replica. */
  async startReplica(id: NodeId, initialMembership: Membership = membershipOf(this.ids)): Promise<Replica> {
    const directory = join(this.root, id);
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(join(directory, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const env = testEnv(this.seed++);
    const transport = new TcpTransport({
      id,
      clusterId: 'test-cluster',
      listen: this.addresses.get(id) ?? { host: '127.0.0.1', port: 0 },
      peers: new Map([...this.addresses].filter(([peer]) => peer !== id)),
      env,
      logger: silentLogger,
      reconnectDelayMinMs: 20,
      reconnectDelayMaxMs: 200,
    });
    const stateMachine = new MapStateMachine<Batch>();
    const log = new BatchAccountingLog(await LevelLogStorage.open(db, { logger: silentLogger }));
    const node = await RaftNode.start({
      id,
      initialMembership,
      env,
      logger: silentLogger,
      log,
      stable: await LevelStableStorage.open(db),
      snapshots: await FileSnapshotStore.open(join(directory, 'snapshots'), { logger: silentLogger }),
      transport,
      stateMachine,
      options: this.options,
    });
    this.addresses.set(id, transport.address());
    const replica: Replica = { id, directory, db, transport, stateMachine, node, log };
    this.replicas.set(id, replica);
    return replica;
  }

  /** Tells every running transport every address (ports are chosen by the OS at first start). */
  connectAll(): void {
    for (const replica of this.replicas.values()) {
      for (const [id, address] of this.addresses) replica.transport.setPeer(id, address);
    }
  }

  async stopReplica(id: NodeId): Promise<void> {
    const replica = this.replicas.get(id);
    if (replica === undefined) return;
    this.replicas.delete(id);
    await replica.node.stop();
    await replica.db.close();
  }

  replica(id: NodeId): Replica {
    const replica = this.replicas.get(id);
    if (replica === undefined) throw new Error(`no running replica ${id}`);
    return replica;
  }

  /** The leader all running replicas agree on, waiting up to `timeoutMs`. */
  async waitForLeader(timeoutMs = 10_000): Promise<Replica> {
    let leader: Replica | undefined;
    await waitFor(() => {
      const leaders = [...this.replicas.values()].filter((replica) => replica.node.status().role === 'leader');
      const top = leaders.sort((a, b) => b.node.status().term - a.node.status().term)[0];
      const agreed = top !== undefined && [...this.replicas.values()].every((replica) => replica.node.status().leaderId === top.id);
      leader = agreed ? top : undefined;
      return agreed;
    }, timeoutMs);
    if (leader === undefined) throw new Error('no leader');
    return leader;
  }

  async stop(): Promise<void> {
    for (const id of [...this.replicas.keys()]) await this.stopReplica(id);
    await rm(this.root, { recursive: true, force: true });
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Proposes on whoever is leader now, retrying through elections until it succeeds or time runs out. */
export async function proposeOnLeader(cluster: TestCluster, key: string, value: number, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A deposed leader may still think it leads for an election timeout: prefer the newest term.
    const leader = [...cluster.replicas.values()]
      .filter((replica) => replica.node.status().role === 'leader')
      .sort((a, b) => b.node.status().term - a.node.status().term)[0];
    if (leader !== undefined) {
      try {
        return (await leader.node.propose(command(key, value), { timeoutMs: 1000 })).index;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    if (Date.now() > deadline) throw new Error('no leader accepted the proposal');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
