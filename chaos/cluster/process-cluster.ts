import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePorts } from '../../common/index.ts';
import { FaultRelay, type RelayFault } from '../relay/fault-relay.ts';
import { ServerProcess } from './server-process.ts';

export interface ClusterMember {
  readonly name: string;
  readonly clientEndpoint: string;
  readonly peerPort: number;
  readonly dataDir: string;
  readonly process: ServerProcess;
}

export interface ProcessClusterOptions {
  readonly size: 3 | 5;
  /** Where data dirs and logs go; a temp dir (removed on stop) when absent. */
  readonly rootDir?: string;
  /** Extra `flotilla server` arguments for every member (timeouts, snapshot thresholds). */
  readonly extraArgs?: readonly string[];
  /** Extra arguments for one member (e.g. its own --api-listen port), after `extraArgs`. */
  readonly perMemberArgs?: (name: string, index: number) => readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Put a fault relay on every link (default). Benchmarks turn it off to measure the real path. */
  readonly relays?: boolean;
}

const host = '127.0.0.1';

/**
 * Real `flotilla server` processes on loopback, wired through a fault relay for every directed
 * pair of members: member i reaches member j only through relay (i→j), so partitions (symmetric
 * or one-way), drops and delays need no root. Kill, pause and restart act on the real processes.
 */
export class ProcessCluster {
  private constructor(
    readonly members: readonly ClusterMember[],
    private readonly relays: ReadonlyMap<string, FaultRelay>,
    private readonly rootDir: string,
    private readonly ownsRootDir: boolean,
  ) {}

  static async start(options: ProcessClusterOptions): Promise<ProcessCluster> {
    const ownsRootDir = options.rootDir === undefined;
    const rootDir = options.rootDir ?? (await mkdtemp(join(tmpdir(), 'flotilla-cluster-')));
    const names = Array.from({ length: options.size }, (_, i) => `n${i + 1}`);
    const ports = await findFreePorts(options.size * 2);
    const peerPorts = new Map(names.map((name, i) => [name, ports[i] ?? 0]));
    const relays = options.relays === false ? new Map<string, FaultRelay>() : await startRelays(names, peerPorts);
    const members = await Promise.all(
      names.map(async (name, i) => {
        const dataDir = join(rootDir, name);
        await mkdir(dataDir, { recursive: true });
        const peerPort = peerPorts.get(name) ?? 0;
        const clientEndpoint = `${host}:${ports[options.size + i]}`;
        const initialCluster = names
          .map((peer) => `${peer}=${host}:${relays.get(relayKey(name, peer))?.port ?? peerPorts.get(peer)}`)
          .join(',');
        const args = [
          'server',
          ...['--name', name, '--data-dir', dataDir],
          ...['--peer-listen', `${host}:${peerPort}`, '--client-listen', clientEndpoint],
          ...['--initial-cluster', initialCluster],
          ...(options.extraArgs ?? []),
          ...(options.perMemberArgs?.(name, i) ?? []),
        ];
        const spec = { name, args, logPath: join(rootDir, `${name}.log`), ...(options.env ? { env: options.env } : {}) };
        return { name, clientEndpoint, peerPort, dataDir, process: new ServerProcess(spec) };
      }),
    );
    for (const member of members) member.process.start();
    return new ProcessCluster(members, relays, rootDir, ownsRootDir);
  }

  member(name: string): ClusterMember {
    const member = this.members.find((candidate) => candidate.name === name);
    if (member === undefined) throw new Error(`no member named ${name}`);
    return member;
  }

  clientEndpoints(): string[] {
    return this.members.map((member) => member.clientEndpoint);
  }

  /** Cuts every link between the groups (members in no group keep their links). */
  partition(groups: readonly (readonly string[])[]): void {
    const groupOf = new Map<string, number>();
    groups.forEach((group, index) => group.forEach((name) => groupOf.set(name, index)));
    for (const [key, relay] of this.relays) {
      const [from, to] = key.split('>') as [string, string];
      const a = groupOf.get(from);
      const b = groupOf.get(to);
      relay.setFault(a !== undefined && b !== undefined && a !== b ? { kind: 'blackhole' } : { kind: 'pass' });
    }
  }

  /** Drops what `from` sends to `to`, and nothing the other way. */
  cutOneWay(from: string, to: string): void {
    this.relay(from, to).setFault({ kind: 'blackhole' });
  }

  setLinkFault(from: string, to: string, fault: RelayFault): void {
    this.relay(from, to).setFault(fault);
  }

  heal(): void {
    for (const relay of this.relays.values()) relay.setFault({ kind: 'pass' });
  }

  /** Stops every member (SIGTERM) and relay; a temp root dir is removed unless `keepFiles` (to read logs). */
  async stop(options: { keepFiles?: boolean } = {}): Promise<void> {
    await Promise.all(this.members.map((member) => member.process.stop()));
    await Promise.all([...this.relays.values()].map((relay) => relay.stop()));
    if (this.ownsRootDir && options.keepFiles !== true) await rm(this.rootDir, { recursive: true, force: true });
  }

  get directory(): string {
    return this.rootDir;
  }

  private relay(from: string, to: string): FaultRelay {
    const relay = this.relays.get(relayKey(from, to));
    if (relay === undefined) throw new Error(`no link ${from} → ${to}`);
    return relay;
  }
}

function relayKey(from: string, to: string): string {
  return `${from}>${to}`;
}

async function startRelays(names: readonly string[], peerPorts: ReadonlyMap<string, number>): Promise<Map<string, FaultRelay>> {
  const relays = new Map<string, FaultRelay>();
  for (const from of names) {
    for (const to of names) {
      if (from === to) continue;
      const relay = new FaultRelay({ targetHost: host, targetPort: peerPorts.get(to) ?? 0 });
      await relay.start();
      relays.set(relayKey(from, to), relay);
    }
  }
  return relays;
}
