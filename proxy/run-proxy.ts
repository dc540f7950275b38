import { createLogger, realEnv, type Env, type Logger } from '../common/index.ts';
import type { ListenMode } from './core/proxy-table.ts';
import { ProxyConfigError, type ProxyConfig } from './proxy-config.ts';
import { ProxyNode } from './proxy-node.ts';
import { ClusterIpAddresses } from './runtime/cluster-ip-addresses.ts';
import type { ClusterSource } from './source/cluster-source.ts';
import { KubeApiSource } from './source/kube-api-source.ts';
import { loadKubeconfig } from './source/kubeconfig.ts';

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

async function sourceFor(config: ProxyConfig, env: Env, logger: Logger): Promise<ClusterSource> {
  if (config.source.kind === 'nats') {
    // docs/nats-protocol.md carries no Service/EndpointSlice subjects yet (see proxy/README.md).
    throw new ProxyConfigError('--nats: the NATS protocol does not carry Services and EndpointSlices yet; use --kubeconfig FILE.');
  }
  const connection = await loadKubeconfig(config.source.path, config.source.context ?? undefined);
  return new KubeApiSource(connection, env, logger);
}

/** `flotilla proxy`: runs until SIGTERM or SIGINT, then drains and exits 0. Bad settings throw ProxyConfigError. */
export async function runProxy(config: ProxyConfig): Promise<number> {
  const logger = createLogger('flotilla-proxy').child({ node: config.nodeName });
  const env = realEnv();
  const source = await sourceFor(config, env, logger);
  const { mode, addresses } = await chooseListenMode(config, logger);
  const node = new ProxyNode({
    env, logger, source, nodeName: config.nodeName, nodeAddress: config.nodeAddress, listenAddress: config.listenAddress, mode,
    ...(addresses === undefined ? {} : { clusterAddresses: addresses }),
    httpPort: config.httpPort, httpsPort: config.httpsPort, dnsPort: config.dnsPort, proxyPortRange: config.proxyPortRange,
  });
  try {
    await node.start();
  } catch (error) {
    logger.error({ err: error }, 'proxy could not start');
    await node.stop();
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping: draining connections');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  await node.stop();
  logger.info('proxy stopped');
  return 0;
}
