import type { Command } from 'commander';
import { addNatsCredentialOptions, exitWhenStopped } from './nats-client-flags.ts';

/**
 * `flotilla proxy`: the per-node proxy (Services, NodePorts, LoadBalancer, Ingress, DNS). Flags are
 * checked by proxy/proxy-config.ts; a bad one exits 2 with what to fix.
 */
export function registerProxyCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('proxy')
    .description('Run the node proxy: Service load balancing, NodePorts, LoadBalancer, Ingress (HTTP/HTTPS) and cluster DNS.')
    .option('--node-name <name>', 'the Node this proxy serves (required)')
    .option('--kubeconfig <file>', 'watch Services, EndpointSlices, Ingresses and Secrets through the Kubernetes API')
    .option('--context <name>', 'kubeconfig context (default: its current context)')
    .option('--nats <urls>', 'watch through NATS instead: the cluster\'s NATS servers, comma-separated (nats://HOST:PORT or HOST:PORT)')
    .option('--cluster-name <name>', 'with --nats: the cluster\'s subject prefix flotilla.<name> (default: flotilla; must match the servers\')');
  addNatsCredentialOptions(command, 'proxy')
    .option('--node-ip <ip>', "this node's address (default: the first non-loopback IPv4)")
    .option('--listen-address <ip>', 'where NodePorts, proxy ports, ingress and DNS listen (default: --node-ip if given, else 0.0.0.0)')
    .option('--http-port <port>', 'ingress HTTP port, 0 for off (default: 80)')
    .option('--https-port <port>', 'ingress HTTPS port, 0 for off (default: 443)')
    .option('--dns-port <port>', 'cluster DNS port (UDP and TCP), 0 for off (default: 53)')
    .option('--listen-mode <mode>', 'auto, cluster-ip (root: cluster IPs on a dummy interface) or ports (a proxy port per service port) (default: auto)')
    .option('--proxy-port-range <first-last>', 'where proxy ports are assigned from (default: 20000-29999)')
    .action(async (flags: Record<string, string | undefined>) => {
      const { KubeconfigError, ProxyConfigError, parseProxyFlags, runProxy } = await import('../proxy/index.ts');
      let code: number;
      try {
        code = await runProxy(parseProxyFlags(flags));
      } catch (error) {
        if (!(error instanceof ProxyConfigError) && !(error instanceof KubeconfigError)) throw error;
        process.stderr.write(`flotilla proxy: ${error.message}\n(run flotilla proxy --help for usage)\n`);
        setExitCode(2);
        return;
      }
      exitWhenStopped(code, setExitCode);
    });
}
