/**
 * In-process replicas over real TCP (loopback) and real LevelDB (temp dirs), for the replica tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrng, findFreePorts, realClock, realTimers, silentLogger, type Env } from '../../common/index.ts';
import type { RaftNodeOptionsInput } from '../../raft/node.ts';
import { command, encodeCommand, Replica, ReplicatedBackend, type InitialClusterMember } from '../../store/index.ts';

export const host = '127.0.0.1';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(value: Uint8Array): string {
  return decoder.decode(value);
}

export function testEnv(seed: number): Env {
  return { clock: realClock, timers: realTimers, prng: createPrng(seed) };
}

export const fastRaft: RaftNodeOptionsInput = { tickMs: 20, raft: { electionTimeoutTicks: 10, heartbeatIntervalTicks: 1 } };

export interface StartOptions {
  readonly raft?: RaftNodeOptionsInput;
  readonly state?: 'new' | 'existing';
  /** The whole initial cluster as this member sees it (defaults to the cluster's). */
  readonly initialCluster?: readonly InitialClusterMember[];
}

export class ReplicaCluster {
  readonly replicas = new Map<string, Replica>();
  readonly initialCluster: InitialClusterMember[];
  private seed = 1;

  private constructor(
    readonly root: string,
    names: readonly string[],
    ports: readonly number[],
    readonly raft: RaftNodeOptionsInput,
  ) {
    this.initialCluster = names.map((name, index) => ({ name, address: { host, port: ports[index] ?? 0 } }));
  }

  static async start(names: readonly string[], raft: RaftNodeOptionsInput = fastRaft): Promise<ReplicaCluster> {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-replica-'));
    const cluster = new ReplicaCluster(root, names, await findFreePorts(names.length), raft);
    await Promise.all(names.map((name) => cluster.startReplica(name)));
    return cluster;
  }

  async startReplica(name: string, options: StartOptions = {}): Promise<Replica> {
    const initialCluster = options.initialCluster ?? this.initialCluster;
    const self = initialCluster.find((member) => member.name === name);
    if (self === undefined) throw new Error(`${name} is not in the initial cluster`);
    const replica = await Replica.open({
      name,
      dataDir: join(this.root, name),
      peerListen: self.address,
      clientUrls: [`http://${host}:1`],
      initialCluster,
      initialClusterState: options.state ?? 'new',
      clusterToken: 'replica-test',
      env: testEnv(this.seed++),
      logger: silentLogger,
      raft: options.raft ?? this.raft,
      leaseCheckIntervalMs: 100,
      housekeepingIntervalMs: 100,
      transport: { reconnectDelayMinMs: 20, reconnectDelayMaxMs: 200 },
    });
    this.replicas.set(name, replica);
    return replica;
  }

  replica(name: string): Replica {
    const replica = this.replicas.get(name);
    if (replica === undefined) throw new Error(`no running replica ${name}`);
    return replica;
  }

  async stopReplica(name: string): Promise<void> {
    const replica = this.replicas.get(name);
    this.replicas.delete(name);
    await replica?.stop();
  }

  async waitForLeader(timeoutMs = 10_000): Promise<Replica> {
    let leader: Replica | undefined;
    await eventually(() => {
      const running = [...this.replicas.values()];
      const top = running.filter((replica) => replica.status().role === 'leader').sort((a, b) => b.status().term - a.status().term)[0];
      const agreed = top !== undefined && running.every((replica) => replica.status().leaderId === top.nodeId);
      leader = agreed ? top : undefined;
      return agreed;
    }, timeoutMs, 'a leader every replica agrees on');
    if (leader === undefined) throw new Error('no leader');
    return leader;
  }

  backend(replica: Replica): ReplicatedBackend {
    return new ReplicatedBackend({ replica, env: testEnv(this.seed++), logger: silentLogger });
  }

  async stop(): Promise<void> {
    await Promise.all([...this.replicas.keys()].map((name) => this.stopReplica(name)));
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Puts through whichever replica leads now, retrying across elections. */
export async function putOnLeader(cluster: ReplicaCluster, key: string, value: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const leader = [...cluster.replicas.values()].find((replica) => replica.status().role === 'leader');
    if (leader !== undefined) {
      try {
        const result = await leader.propose(encodeCommand(command.put(bytes(key), bytes(value))), { timeoutMs: 2000 });
        if (result.kind === 'store' && result.outcome.ok) return;
        throw new Error(`put refused: ${JSON.stringify(result)}`);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
    if (Date.now() > deadline) throw new Error('no leader accepted the put');
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const fullRange = { rangeEnd: new Uint8Array([0]), limit: 0, revision: 0, sortOrder: 'none', sortTarget: 'key', keysOnly: false, countOnly: false, minModRevision: 0, maxModRevision: 0, minCreateRevision: 0, maxCreateRevision: 0 } as const;

/** Every key=value of a replica's local store (serializable). */
export async function contents(replica: Replica): Promise<Record<string, string>> {
  const response = await replica.read((store) => store.range({ key: new Uint8Array([0]), ...fullRange }));
  return Object.fromEntries(response.kvs.map((kv) => [text(kv.key), text(kv.value)]));
}

export async function localGet(replica: Replica, key: string): Promise<string | null> {
  const response = await replica.read((store) => store.range({ ...fullRange, key: bytes(key), rangeEnd: new Uint8Array(0) }));
  const kv = response.kvs[0];
  return kv === undefined ? null : text(kv.value);
}
