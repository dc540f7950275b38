import type { NatsConnection } from '@nats-io/transport-node';
import type { Env, Logger } from '../../common/index.ts';
import type { ApiContext } from '../api/context.ts';
import type { PodStreams } from '../api/handlers/pod-streams.ts';
import { ApiClient } from '../controller-runtime/index.ts';
import { LeaderPublisher } from './leader-publisher.ts';
import { replicaLeadership, type LeaderSource } from './leadership.ts';
import { NatsPodStreams } from './nats-pod-streams.ts';
import { closeNats, connectNats, Subjects, watchConnection, type NatsOptions } from './protocol/index.ts';
import { RequestServer } from './request-server.ts';

/** How long agent requests in flight may finish when the bridge closes. */
const closeGraceMs = 2_000;

export interface NatsBridgeOptions {
  /** The object layer in process over this replica's replicated store. */
  readonly context: ApiContext;
  /** This replica (leadership decides who publishes pod changes). */
  readonly replica: LeaderSource;
  readonly env: Env;
  readonly logger: Logger;
  readonly nats: NatsOptions;
  /** Shown in NATS monitoring (`flotilla-server-<name>`). */
  readonly clientName?: string;
  /** Tests shorten the leader's progress period. */
  readonly progressIntervalMs?: number;
}

export interface NatsBridge {
  /** pods/log and pods/exec through the node agents (503 until connected). */
  readonly podStreams: PodStreams;
  /** Resolves once connected and serving agents (it retries for as long as it takes). */
  readonly ready: Promise<void>;
  readonly isPublishing: boolean;
  close(): Promise<void>;
}

/**
 * The control plane's side of NATS on one replica: answers agents' requests as a member of the
 * replicas' queue group, publishes pod and config changes while this replica is the Raft leader,
 * and opens log/exec streams to agents. It connects in the background (NATS may be down or start
 * later); nothing of the cluster's state lives only in NATS.
 */
export function startNatsBridge(options: NatsBridgeOptions): NatsBridge {
  const logger = options.logger.child({ component: 'nats-bridge' });
  const subjects = new Subjects(options.nats.clusterName);
  const abort = new AbortController();
  let connection: NatsConnection | null = null;
  let requests: RequestServer | null = null;
  let publisher: LeaderPublisher | null = null;
  const ready = (async () => {
    connection = await connectNats(options.nats, options.clientName ?? 'flotilla-server', logger, abort.signal);
    void watchConnection(connection, logger).catch(() => undefined);
    const context = { api: options.context, client: new ApiClient(options.context), env: options.env, logger };
    requests = new RequestServer(connection, subjects, context);
    publisher = new LeaderPublisher({
      connection, subjects, api: options.context, leadership: replicaLeadership(options.replica), env: options.env, logger,
      ...(options.progressIntervalMs === undefined ? {} : { progressIntervalMs: options.progressIntervalMs }),
    });
    await connection.flush();
    logger.info({ servers: options.nats.servers, subjects: `${subjects.prefix}.*` }, 'NATS bridge serving agents');
  })();
  ready.catch((error: unknown) => {
    if (!abort.signal.aborted) logger.error({ err: error }, 'NATS bridge could not start');
  });
  return {
    podStreams: new NatsPodStreams(() => connection, subjects, options.env, logger),
    ready,
    get isPublishing() {
      return (publisher as LeaderPublisher | null)?.isPublishing ?? false;
    },
    close: async () => {
      abort.abort();
      await (requests as RequestServer | null)?.close(closeGraceMs);
      await (publisher as LeaderPublisher | null)?.close();
      const open = connection as NatsConnection | null;
      if (open !== null) await closeNats(open, options.env.timers);
    },
  };
}
