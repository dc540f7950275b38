import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../common/index.ts';
import type { TcpTransportMetrics } from '../../raft/index.ts';
import type { HostPort, Replica } from '../../store/index.ts';

type PeerCounters = TcpTransportMetrics['peers'][string];

/**
 * Prometheus metrics of one server (names in control-plane/server/README.md). Counters the replica
 * keeps as plain numbers are turned into Prometheus counters at scrape time; fsync latency is
 * observed as it happens (through the replica's `onSyncedWrite` hook).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly fsyncSeconds: Histogram;
  private replica: Replica | null = null;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.fsyncSeconds = new Histogram({
      name: 'flotilla_raft_fsync_duration_seconds',
      help: 'Duration of synced Raft batch writes (one fsync per persisted Ready).',
      buckets: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024],
      registers: [this.registry],
    });
    this.registerReplicaMetrics();
  }

  observeSyncedWrite(durationMs: number): void {
    this.fsyncSeconds.observe(durationMs / 1000);
  }

  attach(replica: Replica): void {
    this.replica = replica;
  }

  private registerReplicaMetrics(): void {
    const registers = [this.registry];
    const metrics = this;
    const counterFrom = (name: string, help: string, read: (replica: Replica) => number): void => {
      let reported = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const replica = metrics.replica;
          if (replica === null) return;
          const value = read(replica);
          if (value > reported) this.inc(value - reported);
          reported = value;
        },
      });
    };
    const gaugeFrom = (name: string, help: string, read: (replica: Replica) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          if (metrics.replica !== null) this.set(read(metrics.replica));
        },
      });
    };
    counterFrom('flotilla_raft_leader_changes_total', 'Leader changes seen by this member.', (replica) => replica.counters.leaderChanges);
    counterFrom('flotilla_raft_proposals_committed_total', 'Proposals from this member that were committed and applied.', (replica) => replica.counters.proposalsCommitted);
    counterFrom('flotilla_raft_proposals_failed_total', 'Proposals from this member that failed (not leader, timeout, overwritten, stopped).', (replica) => replica.counters.proposalsFailed);
    gaugeFrom('flotilla_raft_apply_lag_entries', 'Committed entries not yet applied here (commit index - applied index).', (replica) => {
      const status = replica.status();
      return Math.max(0, status.commitIndex - status.stateMachineAppliedIndex);
    });
    gaugeFrom('flotilla_raft_term', 'Current Raft term.', (replica) => replica.status().term);
    gaugeFrom('flotilla_raft_commit_index', 'Raft commit index known here.', (replica) => replica.status().commitIndex);
    gaugeFrom('flotilla_raft_applied_index', 'Last index applied to the store here.', (replica) => replica.status().stateMachineAppliedIndex);
    gaugeFrom('flotilla_raft_is_leader', '1 if this member is the leader.', (replica) => (replica.status().role === 'leader' ? 1 : 0));
    gaugeFrom('flotilla_raft_has_leader', '1 if this member knows a leader.', (replica) => (replica.status().leaderId === null ? 0 : 1));
    gaugeFrom('flotilla_store_revision', 'Store revision applied here.', (replica) => replica.store.revision);
    this.registerPeerMetrics();
  }

  private registerPeerMetrics(): void {
    const metrics = this;
    /** A gauge per peer, set afresh at each scrape from the transport's counters (null: no value for that peer). */
    const peerGaugeFrom = (name: string, help: string, read: (counters: PeerCounters) => number | null): void => {
      new Gauge({
        name,
        help,
        labelNames: ['peer'],
        registers: [metrics.registry],
        collect() {
          this.reset();
          const replica = metrics.replica;
          if (replica === null) return;
          for (const [peer, counters] of Object.entries(replica.transportMetrics().peers)) {
            const value = read(counters);
            if (value !== null) this.set({ peer }, value);
          }
        },
      });
    };
    peerGaugeFrom('flotilla_raft_peer_round_trip_seconds', 'Latest ping round-trip time to each peer over the Raft transport.', (counters) => (counters.rttMs === null ? null : counters.rttMs / 1000));
    peerGaugeFrom('flotilla_raft_peer_connected', '1 if the outbound connection to the peer is up.', (counters) => (counters.connected ? 1 : 0));
    peerGaugeFrom('flotilla_raft_peer_dropped_messages', 'Messages to the peer dropped so far (queue full, unreachable, oversized).', (counters) => counters.droppedMessages);
  }
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** `GET /metrics` (Prometheus text) and `GET /healthz` (200 when a leader is known, else 503). */
export async function startMetricsServer(listen: HostPort, metrics: ServerMetrics, health: () => { ok: boolean; detail: object }, logger: Logger): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => {
          logger.error({ err: error }, 'collecting metrics failed');
          response.writeHead(500).end('collecting metrics failed\n');
        },
      );
      return;
    }
    if (path === '/healthz') {
      const { ok, detail } = health();
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify({ health: ok, ...detail })}\n`);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : listen.port;
  logger.info({ host: listen.host, port }, 'metrics listening (/metrics, /healthz)');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
