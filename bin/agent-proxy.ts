import { isIP } from 'node:net';
import type { ConnectionCompanion } from '../agent/index.ts';
import type { ProxyConfig } from '../proxy/index.ts';

/** The proxy flags `flotilla agent` takes (all need --proxy but --listen-mode, which also tells the agent how a separate proxy listens). */
export const agentProxyFlags = ['listenAddress', 'httpPort', 'httpsPort', 'dnsPort', 'proxyPortRange'] as const;

/** Proxy flags given without --proxy: which ones, and what they need. */
export function strayProxyFlagsMessage(stray: readonly string[]): string {
  const names = stray.map((name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  return `${names.join(', ')} ${stray.length === 1 ? 'needs' : 'need'} --proxy (the node proxy run in this process).`;
}

function isUnspecified(address: string): boolean {
  return isIP(address) !== 0 && (address === '0.0.0.0' || address === '::');
}

/**
 * `flotilla agent --proxy`: the node proxy in the agent's process, on the agent's own NATS
 * connection (one connection, one reconnect; the proxy's NATS source shares it). The containers'
 * Service variables follow the listen mode the proxy chose: cluster IPs, or the proxy ports on the
 * address it listens on (the node address when it listens on every address).
 */
export function proxyCompanion(config: ProxyConfig, clusterName: string): ConnectionCompanion {
  return {
    start: async (connection, env, logger) => {
      const { startProxyOnConnection } = await import('../proxy/index.ts');
      const proxyLogger = logger.child({ component: 'proxy' });
      const running = await startProxyOnConnection(config, connection, clusterName, env, proxyLogger);
      const host = isUnspecified(config.listenAddress) ? config.nodeAddress : config.listenAddress;
      return {
        serviceAddressing: running.mode === 'cluster-ip' ? { kind: 'cluster-ip' } : { kind: 'proxy-ports', host },
        stop: async () => {
          await running.stop();
          proxyLogger.info('proxy stopped');
        },
      };
    },
  };
}
