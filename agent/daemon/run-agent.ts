import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { createLogger, realEnv, type Env, type Logger } from '../../common/index.ts';
import { closeNats, connectNats, Subjects, watchConnection, type ReflectorSubscribe } from '../../control-plane/nats/protocol/index.ts';
import { readHostFacts } from '../node/host-facts.ts';
import { LeaseRenewer } from '../node/lease-renewer.ts';
import { volumesDirectoryAnnotation, type NodeIdentity } from '../node/node-object.ts';
import { NodeStatusReporter } from '../node/node-status-reporter.ts';
import type { Runtime } from '../runtime.ts';
import { ExecServer } from '../streams/exec-server.ts';
import { LogServer } from '../streams/log-server.ts';
import { ClaimCache } from '../sync/claim-cache.ts';
import { ConfigCache } from '../sync/config-cache.ts';
import { VolumeJanitor } from '../sync/volume-janitor.ts';
import { ControlPlaneClient } from '../sync/control-plane-client.ts';
import { EventReporter } from '../sync/event-reporter.ts';
import { PodManager } from '../sync/pod-manager.ts';
import { PodSource } from '../sync/pod-source.ts';
import { ServiceCache } from '../sync/service-cache.ts';
import { StatusBatcher } from '../sync/status-batcher.ts';
import { UsageReporter } from '../sync/usage-reporter.ts';
import { withTimeout } from '../wait.ts';
import type { AgentConfig } from './agent-config.ts';
import { serviceAddressingFor, stoppingOnce, type ConnectionCompanion, type RunningCompanion } from './connection-companion.ts';
import { lockDataDirectory } from './data-dir-lock.ts';
import { createNodeRuntime } from './node-runtime.ts';

export const AgentDefaults = {
  version: 'v1.32.0-flotilla',
  runtimeVersion: 'process://0.1.0',
  /** kubelet's default max-pods. */
  podsMax: 110,
  /** How long pending pod statuses may take to leave on shutdown. */
  shutdownFlushMs: 2_000,
} as const;

export interface RunAgentOptions {
  readonly logger?: Logger;
  /** Resolves to stop the agent (tests); SIGTERM and SIGINT always do. */
  readonly stopSignal?: Promise<void>;
  /** Run on the agent's NATS connection once connected: the node proxy with --proxy (bin/ wires it). */
  readonly companion?: ConnectionCompanion;
}

/**
 * `flotilla agent`: Flotilla's kubelet. Re-adopts the containers a previous agent left running,
 * connects to NATS (waiting for as long as it takes), registers the node, renews its lease every
 * second, runs the node's pods and reports their status, serves logs and exec. On SIGTERM it stops
 * watching and exits 0 — the containers keep running, as kubelet's do, for the next agent.
 */
export async function runAgent(config: AgentConfig, options: RunAgentOptions = {}): Promise<number> {
  const logger = options.logger ?? createLogger('flotilla-agent');
  const seed = Math.floor(Math.random() * 2 ** 32);
  const env = realEnv(seed);
  logger.info({ node: config.nodeName, nats: config.nats.servers, dataDir: config.dataDir, nodeIp: config.nodeIp, seed }, 'flotilla agent starting');
  const stop = new AbortController();
  const stopped = waitForStop(logger, options.stopSignal, stop);
  let lock: { release(): Promise<void> };
  try {
    await mkdir(config.dataDir, { recursive: true });
    lock = await lockDataDirectory(config.dataDir);
  } catch (error) {
    logger.fatal({ err: error }, 'flotilla agent could not start');
    return 1;
  }
  const runtime = await createNodeRuntime(config.dataDir, config.runtime, env, logger.child({ component: 'runtime' }));
  const recovered = await runtime.recover();
  logger.info({ containers: recovered.length, running: recovered.filter((container) => container.exit === undefined).length }, 'containers left by the previous agent re-adopted');
  let connection: NatsConnection | undefined;
  let companion: RunningCompanion | undefined;
  try {
    connection = await connectNats(config.nats, `flotilla-agent-${config.nodeName}`, logger, stop.signal);
    const started = await options.companion?.start(connection, env, logger);
    companion = started === undefined ? undefined : stoppingOnce(started);
    await runConnected(config, connection, runtime, env, logger, stop.signal, stopped, companion);
  } catch (error) {
    if (!stop.signal.aborted) {
      logger.fatal({ err: error }, 'flotilla agent failed');
      await companion?.stop();
      await runtime.close();
      if (connection !== undefined) await closeNats(connection, env.timers);
      await lock.release();
      return 1;
    }
  }
  await companion?.stop();
  await runtime.close();
  if (connection !== undefined) await closeNats(connection, env.timers);
  await lock.release();
  logger.info('flotilla agent stopped (its containers keep running)');
  return 0;
}

function waitForStop(logger: Logger, stopSignal: Promise<void> | undefined, stop: AbortController): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.once(signal, () => {
        logger.warn({ signal }, 'second signal: exiting without a clean shutdown');
        process.exit(1);
      });
      logger.info({ signal }, 'flotilla agent shutting down');
      stop.abort();
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    void stopSignal?.then(() => {
      stop.abort();
      resolve();
    });
  });
}

/** Subscribes to one subject of the agent's connection (the shape the pod source and reflectors take). */
function subscriber(connection: NatsConnection, subject: string): ReflectorSubscribe {
  return (onMessage) => connection.subscribe(subject, { callback: (error, message) => {
    if (error === null) onMessage(message.data);
  } });
}

async function runConnected(
  config: AgentConfig, connection: NatsConnection, runtime: Runtime, env: Env, logger: Logger, signal: AbortSignal, stopped: Promise<void>,
  companion: RunningCompanion | undefined,
): Promise<void> {
  const subjects = new Subjects(config.nats.clusterName);
  const client = new ControlPlaneClient(connection, subjects, config.nodeName);
  const volumesDirectory = join(resolve(config.dataDir), 'volumes');
  const identity: NodeIdentity = {
    nodeName: config.nodeName, nodeIp: config.nodeIp, labels: config.labels, taints: config.taints,
    // The local-path provisioner puts this node's volumes here (controllers/README.md).
    annotations: { [volumesDirectoryAnnotation]: volumesDirectory },
    runtimeVersion: AgentDefaults.runtimeVersion, agentVersion: AgentDefaults.version, podsMax: AgentDefaults.podsMax,
  };
  const reporter = new NodeStatusReporter({ identity, dataDirectory: config.dataDir, client, env, logger: logger.child({ component: 'node' }), runtimeProblem: () => null });
  await Promise.race([reporter.register(), stopped]);
  if (signal.aborted) return reporter.stop();
  const facts = await readHostFacts(config.dataDir);
  const leaseLogger = logger.child({ component: 'lease' });
  const lease = new LeaseRenewer(client, env, leaseLogger, () => reporter.reportNow(), () => {
    leaseLogger.info('lease renewals keep failing: reconnecting to another NATS server');
    connection.reconnect().catch((error: unknown) => leaseLogger.debug({ err: error }, 'NATS reconnect refused'));
  });
  const configs = new ConfigCache(client, env, logger.child({ component: 'configs' }));
  const claims = new ClaimCache(client);
  const janitor = new VolumeJanitor(volumesDirectory, client, env, logger.child({ component: 'volumes' }));
  const statuses = new StatusBatcher((updates) => client.writeStatuses(updates), env, logger.child({ component: 'status' }));
  const events = new EventReporter(async (batch) => void (await client.recordEvents(batch)), env, logger.child({ component: 'events' }));
  // The containers' Service variables point where this node's proxy serves Services (agent/README.md).
  const addressing = companion?.serviceAddressing ?? serviceAddressingFor(config.serviceListenMode, config.nodeIp, process.platform === 'linux' && process.getuid?.() === 0);
  const services = new ServiceCache((abort) => client.listServices(abort), env, logger.child({ component: 'services' }));
  const manager = new PodManager({
    runtime, client, configs, claims, statuses, events, env, logger: logger.child({ component: 'pods' }), nodeIp: config.nodeIp,
    serviceVariables: (namespace, enableServiceLinks) => services.variables(namespace, enableServiceLinks, addressing),
    nodeAllocatable: { cpu: String(facts.cpuCount), memory: `${Math.floor(facts.memoryTotalBytes / 1024)}Ki`, pods: String(AgentDefaults.podsMax) },
  });
  const source = new PodSource(client, manager, env, logger.child({ component: 'pod-source' }));
  const logs = new LogServer({ runtime, pod: (uid) => manager.pod(uid), env, logger: logger.child({ component: 'logs' }) });
  const execs = new ExecServer({ runtime, pod: (uid) => manager.pod(uid), env, logger: logger.child({ component: 'exec' }) });
  const usage = new UsageReporter({ client, runtime, pods: () => manager.runningPods(), env, logger: logger.child({ component: 'usage' }), intervalMs: config.usageReportIntervalMs });
  lease.start();
  reporter.start();
  configs.start(connection, subjects);
  statuses.start();
  events.start();
  logs.start(connection, subjects, config.nodeName);
  execs.start(connection, subjects, config.nodeName);
  usage.start();
  janitor.start();
  services.start(subscriber(connection, subjects.objectChanges('services')));
  // As kubelet: no container starts before the Services were read once (their variables would be missing).
  await Promise.race([services.whenSynced(), stopped]);
  source.start(subscriber(connection, subjects.nodePods(config.nodeName)));
  void watchConnection(connection, logger, () => {
    source.onReconnect();
    services.onReconnect();
    configs.onReconnect();
    reporter.reportNow();
  }).catch(() => undefined);
  logger.info({ node: config.nodeName, serviceAddressing: addressing.kind }, 'flotilla agent running');
  await stopped;
  // The proxy drains its connections (bounded) while the agent detaches its pods.
  const companionStopped = companion?.stop();
  source.stop();
  services.stop();
  logs.stop();
  execs.stop();
  usage.stop();
  janitor.stop();
  lease.stop();
  reporter.stop();
  configs.stop();
  await manager.detachAll();
  const flushed = await withTimeout(env.timers, statuses.flush(), AgentDefaults.shutdownFlushMs);
  if (flushed !== true) logger.warn({ pending: statuses.pendingCount }, 'pod statuses were still being written at exit (the next agent writes them again)');
  statuses.stop();
  await withTimeout(env.timers, events.flush(), AgentDefaults.shutdownFlushMs);
  events.stop();
  await companionStopped;
}
