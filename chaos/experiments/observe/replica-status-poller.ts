import type { Env } from '../../../common/index.ts';
import { EtcdWireClient } from '../../../store/index.ts';
import type { ServerEndpoint } from '../cluster/experiment-cluster.ts';
import type { ObservationLog } from '../timeline/observations.ts';
import { PollLoop } from './poll-loop.ts';

/** One status read per replica per step of the timeline. */
export const statusPollIntervalMs = 100;
/** A replica that has not answered by then is unreachable for that reading. */
export const statusPollTimeoutMs = 800;

/** Maintenance.Status and Cluster.MemberList as our protos decode them (longs as strings). */
interface WireStatus {
  readonly header: { readonly member_id: string };
  readonly leader: string;
  readonly raftTerm: string;
}
interface WireMemberList {
  readonly members: ReadonlyArray<{ readonly ID: string; readonly name: string }>;
}

/**
 * Asks every replica, every 100 ms, who it thinks leads and in which term (Maintenance.Status, as
 * `flotilla status` does), and records the answers, or that it did not answer.
 */
export class ReplicaStatusPoller {
  private readonly loops: PollLoop[];
  /** Member id (decimal text) → name: learned from each replica's own answers, then MemberList. */
  private readonly names = new Map<string, string>();
  private readonly clients = new Map<string, EtcdWireClient>();

  constructor(private readonly servers: readonly ServerEndpoint[], private readonly log: ObservationLog, env: Env) {
    this.loops = servers.map((server) => new PollLoop(statusPollIntervalMs, statusPollTimeoutMs, env, (signal) => this.pollOne(server, signal)));
  }

  start(): void {
    for (const loop of this.loops) loop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private async pollOne(server: ServerEndpoint, signal: AbortSignal): Promise<void> {
    const client = this.clientOf(server);
    try {
      const status = await client.call<WireStatus>('Maintenance', 'Status', {}, statusPollTimeoutMs, signal);
      this.names.set(status.header.member_id, server.name);
      if (status.leader !== '0' && !this.names.has(status.leader)) await this.learnNames(client, signal);
      const leader = status.leader === '0' ? null : (this.names.get(status.leader) ?? `member ${BigInt(status.leader).toString(16)}`);
      this.log.addReading({ replica: server.name, atMs: this.log.clock.nowMs(), reachable: true, term: Number(status.raftTerm), leader });
    } catch {
      this.log.addReading({ replica: server.name, atMs: this.log.clock.nowMs(), reachable: false, term: null, leader: null });
      // A fresh channel next time: gRPC's reconnect backoff would otherwise hide a replica that is back.
      client.close();
      this.clients.delete(server.name);
    }
  }

  private async learnNames(client: EtcdWireClient, signal: AbortSignal): Promise<void> {
    const list = await client.call<WireMemberList>('Cluster', 'MemberList', {}, statusPollTimeoutMs, signal).catch(() => null);
    for (const member of list?.members ?? []) if (member.name !== '') this.names.set(member.ID, member.name);
  }

  private clientOf(server: ServerEndpoint): EtcdWireClient {
    let client = this.clients.get(server.name);
    if (client === undefined) {
      client = new EtcdWireClient(server.clientEndpoint);
      this.clients.set(server.name, client);
    }
    return client;
  }

  /** The latest leader and term the answering replicas agree on (highest term), for the fault player. */
  latest(): { leader: string | null; term: number | null } {
    let leader: string | null = null;
    let term: number | null = null;
    for (const server of this.servers) {
      const reading = this.latestReading(server.name);
      if (reading === undefined || !reading.reachable || reading.term === null) continue;
      if (reading.leader !== null && (term === null || reading.term >= term)) leader = reading.leader;
      term = Math.max(term ?? reading.term, reading.term);
    }
    return { leader, term };
  }

  private latestReading(replica: string) {
    for (let index = this.log.readings.length - 1; index >= 0; index--) {
      const reading = this.log.readings[index];
      if (reading?.replica === replica) return reading;
    }
    return undefined;
  }
}
