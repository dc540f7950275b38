import { createLogger, realEnv, type Logger } from '../../common/index.ts';
import { formatHostPort, Replica, ReplicatedBackend, startEtcdApiServer, type EtcdApiServer } from '../../store/index.ts';
import { join } from 'node:path';
import type { ApiServer } from '../api/server.ts';
import type { ServerConfig } from './config.ts';
import { startReplicaApi } from './replica-api.ts';
import { runControllersOnLeader, type LeaderControllers } from './leader-controllers.ts';
import { defaultControllerFactories } from '../controllers/index.ts';
import { DeferredPodStreams, startNatsBridge, type NatsBridge } from '../nats/index.ts';
import { cpuProfileDirectoryVariable, startCpuProfile } from './cpu-profile.ts';
import { ServerMetrics, startMetricsServer, type MetricsServer } from './metrics.ts';
import { startJoinParts, type JoinParts } from './join/join-wiring.ts';

export interface RunServerOptions {
  readonly logger?: Logger;
  /** Resolves to stop the server (tests); SIGTERM and SIGINT always do. */
  readonly stopSignal?: Promise<void>;
}

/** How long calls in flight may finish when the server stops. */
const closeGraceMs = 2_000;

/**
 * `flotilla server`: one replica of the replicated store, serving the etcd v3 API (and metrics).
 * Runs until SIGTERM/SIGINT (or its own removal from the cluster), then shuts down in order —
 * metrics, client API (no new calls; calls in flight get a grace period), Raft, database — and
 * resolves to the exit code: 0 after a clean shutdown, 1 if it could not start.
 */
export async function runServer(config: ServerConfig, options: RunServerOptions = {}): Promise<number> {
  const logger = options.logger ?? createLogger('flotilla-server');
  const profiler = await startCpuProfile(process.env[cpuProfileDirectoryVariable]);
  const seed = Math.floor(Math.random() * 2 ** 32);
  const env = realEnv(seed);
  logger.info({ config: describeConfig(config), seed }, 'flotilla server starting');
  const metrics = new ServerMetrics();
  let replica: Replica | null = null;
  let backend: ReplicatedBackend | null = null;
  let api: EtcdApiServer | null = null;
  let metricsServer: MetricsServer | null = null;
  let join: JoinParts | null = null;
  const stopped = new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.once(signal, () => {
        logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
        process.exit(1);
      });
      resolve(signal);
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    void options.stopSignal?.then(() => resolve('stop requested'));
  });
  try {
    replica = await Replica.open({
      name: config.name,
      dataDir: config.dataDir,
      peerListen: config.peerListen,
      clientUrls: [config.advertiseClientUrl],
      initialCluster: config.initialCluster,
      initialClusterState: config.initialClusterState,
      ...(config.clusterToken === null ? {} : { clusterToken: config.clusterToken }),
      env,
      logger,
      raft: {
        tickMs: config.tickMs,
        raft: {
          electionTimeoutTicks: config.electionTicks,
          heartbeatIntervalTicks: config.heartbeatTicks,
          snapshotEntriesThreshold: config.snapshotEntries,
          snapshotTrailingEntries: Math.min(1000, config.snapshotEntries),
        },
      },
      onSyncedWrite: (durationMs) => metrics.observeSyncedWrite(durationMs),
    });
    metrics.attach(replica);
    backend = new ReplicatedBackend({ replica, env, logger });
    api = await startEtcdApiServer({ host: config.clientListen.host, port: config.clientListen.port, backend, logger });
    if (config.metricsListen !== null) metricsServer = await startMetricsServer(config.metricsListen, metrics, healthOf(replica), logger);
    join = startJoinParts(config, replica, backend, env, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'flotilla server could not start');
    await shutdown(logger, { replica, backend, api, metricsServer, kubernetesApi: null, join });
    return 1;
  }
  const kubernetesApi = startKubernetesApi(config, replica, env, logger);
  const removed = new Promise<string>((resolve) => replica?.onRemoved(() => resolve('removed from the cluster')));
  const reason = await Promise.race([stopped, removed, kubernetesApi.failed]);
  logger.info({ reason }, 'flotilla server shutting down');
  await shutdown(logger, { replica, backend, api, metricsServer, kubernetesApi, join });
  const profilePath = await profiler?.stop();
  logger.info(profilePath === undefined ? {} : { profilePath }, 'flotilla server stopped');
  return 0;
}

interface KubernetesApiHandle {
  /** Resolves with a reason if the API could not start (the server then stops: exit code 0 would hide it, so it logs fatal). */
  readonly failed: Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the Kubernetes API in the background: it needs the cluster's bootstrap record, which
 * needs a leader, and the replica must keep serving Raft (and signals) while it waits. Once it is
 * up, the scheduler and controllers run whenever this replica is the Raft leader.
 */
function startKubernetesApi(config: ServerConfig, replica: Replica, env: ReturnType<typeof realEnv>, logger: Logger): KubernetesApiHandle {
  const listen = config.apiListen;
  if (listen === null) return { failed: new Promise(() => undefined), close: async () => undefined };
  const abort = new AbortController();
  let server: ApiServer | null = null;
  let controllers: LeaderControllers | null = null;
  let bridge: NatsBridge | null = null;
  const podStreams = config.nats === null ? undefined : new DeferredPodStreams();
  const failed = new Promise<string>((resolve) => {
    startReplicaApi({ replica, listen, extraNames: config.apiSans, dataDir: join(config.dataDir, 'api'), env, logger, signal: abort.signal, ...(podStreams === undefined ? {} : { podStreams }) })
      .then((started) => {
        server = started.server;
        if (abort.signal.aborted) return void started.server.close();
        controllers = runControllersOnLeader({ replica, context: started.context, env, logger, factories: defaultControllerFactories() });
        // Node agents, through NATS: requests answered here, pod changes published while this replica leads.
        if (config.nats !== null) {
          bridge = startNatsBridge({ context: started.context, replica, env, logger, nats: config.nats, clientName: `flotilla-server-${config.name}` });
          podStreams?.attach(bridge.podStreams);
        }
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        logger.fatal({ err: error }, 'the Kubernetes API could not start');
        resolve('the Kubernetes API could not start');
      });
  });
  return {
    failed,
    close: async () => {
      abort.abort();
      await (bridge as NatsBridge | null)?.close();
      await (controllers as LeaderControllers | null)?.close();
      await (server as ApiServer | null)?.close();
    },
  };
}

interface Parts {
  readonly kubernetesApi: KubernetesApiHandle | null;
  readonly replica: Replica | null;
  readonly backend: ReplicatedBackend | null;
  readonly api: EtcdApiServer | null;
  readonly metricsServer: MetricsServer | null;
  readonly join: JoinParts | null;
}

async function shutdown(logger: Logger, parts: Parts): Promise<void> {
  const step = async (what: string, run: () => Promise<void> | void): Promise<void> => {
    try {
      await run();
    } catch (error) {
      logger.error({ err: error }, `shutdown: ${what} failed`);
    }
  };
  await step('metrics', () => parts.metricsServer?.close());
  await step('join service', () => parts.join?.close());
  await step('Kubernetes API', () => parts.kubernetesApi?.close());
  await step('client API', () => parts.api?.close({ graceMs: closeGraceMs }));
  await step('backend', () => parts.backend?.close());
  await step('replica', () => parts.replica?.stop());
}

function healthOf(replica: Replica): () => { ok: boolean; detail: object } {
  return () => {
    const status = replica.status();
    const ok = status.failure === null && status.leaderId !== null && !replica.isRemoved;
    const reason = status.failure ?? (replica.isRemoved ? 'removed from the cluster' : status.leaderId === null ? 'no leader' : null);
    return { ok, detail: { role: status.role, leader: status.leaderId, term: status.term, ...(reason === null ? {} : { reason }) } };
  };
}

function describeConfig(config: ServerConfig): Record<string, unknown> {
  return {
    ...config,
    peerListen: formatHostPort(config.peerListen),
    clientListen: formatHostPort(config.clientListen),
    metricsListen: config.metricsListen === null ? null : formatHostPort(config.metricsListen),
    apiListen: config.apiListen === null ? null : formatHostPort(config.apiListen),
    nats: config.nats === null ? null : { ...config.nats, ...(config.nats.password === undefined ? {} : { password: '<redacted>' }) },
    initialCluster: config.initialCluster.map((member) => `${member.name}=${formatHostPort(member.address)}`).join(','),
  };
}
