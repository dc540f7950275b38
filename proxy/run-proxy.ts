import type { NatsConnection } from '@nats-io/transport-node';
import { createLogger, realEnv, type Env, type Logger } from '../common/index.ts';
import { closeNats, connectNats, Subjects } from '../control-plane/nats/protocol/index.ts';
import type { ListenMode } from './core/proxy-table.ts';
import { ProxyConfigError, type ProxyConfig } from './proxy-config.ts';
import { ProxyNode } from './proxy-node.ts';
import { ClusterIpAddresses } from './runtime/cluster-ip-addresses.ts';
import type { ClusterSource } from './source/cluster-source.ts';
import { KubeApiSource } from './source/kube-api-source.ts';
import { KubeconfigError, loadKubeconfig } from './source/kubeconfig.ts';
import { NatsClusterSource } from './source/nats-cluster-source.ts';

/**
 * Root mode needs root on Linux and a way to add addresses; `auto` falls back to ports mode (and
 * says why), an explicit `cluster-ip` that cannot work is an error.
 */
export async function chooseListenMode(config: ProxyConfig, logger: Logger): Promise<{ mode: ListenMode; addresses?: ClusterIpAddresses }> {
  if (config.listenMode === 'ports') return { mode: 'ports' };
  const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
  if (!isRoot) {
    if (config.listenMode === 'cluster-ip') throw new ProxyConfigError('--listen-mode cluster-ip needs root on Linux (it adds cluster IPs to a dummy interface); use --listen-mode ports.');
    logger.info('not root on Linux: each service port gets a proxy port on the node address (flotilla.io/proxy-ports)');
    return { mode: 'ports' };
  }
  const addresses = new ClusterIpAddresses(logger);
  const prepared = await addresses.prepare();
  if (prepared.ok) return { mode: 'cluster-ip', addresses };
  if (config.listenMode === 'cluster-ip') throw new ProxyConfigError(`--listen-mode cluster-ip: ${prepared.reason}`);
  logger.warn({ reason: prepared.reason }, 'cannot add cluster IPs; falling back to proxy ports');
  return { mode: 'ports' };
}

async function kubeApiSource(config: ProxyConfig & { source: { kind: 'kubeconfig' } }, env: Env, logger: Logger): Promise<ClusterSource> {
  const connection = await loadKubeconfig(config.source.path, config.source.context ?? undefined);
  return new KubeApiSource(connection, env, logger);
}

/** A proxy that runs: its node (listeners, DNS, ingress) and the listen mode it chose. */
export interface RunningProxy {
  readonly node: ProxyNode;
  readonly mode: ListenMode;
  /** Stops watching, drains (bounded) and removes the cluster IPs it added. */
  stop(): Promise<void>;
}

/**
 * Chooses the listen mode, builds the ProxyNode over `source` and starts it (binds the ingress and
 * DNS listeners). Throws ProxyConfigError for a mode that cannot work, or the bind error.
 */
export async function startProxyNode(config: ProxyConfig, source: ClusterSource, env: Env, logger: Logger): Promise<RunningProxy> {
  const { mode, addresses } = await chooseListenMode(config, logger);
  const node = new ProxyNode({
    env, logger, source, nodeName: config.nodeName, nodeAddress: config.nodeAddress, listenAddress: config.listenAddress, mode,
    ...(addresses === undefined ? {} : { clusterAddresses: addresses }),
    httpPort: config.httpPort, httpsPort: config.httpsPort, dnsPort: config.dnsPort, proxyPortRange: config.proxyPortRange,
  });
  try {
    await node.start();
  } catch (error) {
    await node.stop();
    throw error;
  }
  return { node, mode, stop: () => node.stop() };
}

/**
 * The proxy on a NATS connection someone else owns (`flotilla agent --proxy` shares its own): the
 * connection stays open when the proxy stops.
 */
export function startProxyOnConnection(config: ProxyConfig, connection: NatsConnection, clusterName: string, env: Env, logger: Logger): Promise<RunningProxy> {
  const source = new NatsClusterSource({ connection, subjects: new Subjects(clusterName), env, logger: logger.child({ component: 'proxy-source' }) });
  return startProxyNode(config, source, env, logger);
}

/** `flotilla proxy`: runs until SIGTERM or SIGINT, then drains and exits 0. Bad settings throw ProxyConfigError. */
export async function runProxy(config: ProxyConfig): Promise<number> {
  const logger = createLogger('flotilla-proxy').child({ node: config.nodeName });
  const env = realEnv();
  const stop = new AbortController();
  const stopped = waitForSignal(logger, stop);
  let connection: NatsConnection | null = null;
  let running: RunningProxy;
  try {
    if (config.source.kind === 'nats') {
      // Waits for NATS for as long as it takes (a proxy may start before the control plane).
      connection = await connectNats(config.source.nats, `flotilla-proxy-${config.nodeName}`, logger, stop.signal);
      running = await startProxyOnConnection(config, connection, config.source.nats.clusterName, env, logger);
    } else {
      running = await startProxyNode(config, await kubeApiSource({ ...config, source: config.source }, env, logger), env, logger);
    }
  } catch (error) {
    if (connection !== null) await closeNats(connection, env.timers);
    if (stop.signal.aborted) return 0;
    if (error instanceof ProxyConfigError || error instanceof KubeconfigError) throw error;
    logger.error({ err: error }, 'proxy could not start');
    return 1;
  }
  await stopped;
  await running.stop();
  if (connection !== null) await closeNats(connection, env.timers);
  logger.info('proxy stopped');
  return 0;
}

function waitForSignal(logger: Logger, stop: AbortController): Promise<void> {
  return new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping: draining connections');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      stop.abort();
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
