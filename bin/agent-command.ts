import type { Command } from 'commander';
import { addNatsCredentialOptions, exitWhenStopped, type NatsCredentialFlags } from './nats-client-flags.ts';

interface AgentCommandFlags extends NatsCredentialFlags {
  readonly nodeName?: string;
  readonly nats?: string;
  readonly clusterName?: string;
  readonly labels?: string;
  readonly taints?: string;
  readonly dataDir?: string;
  readonly nodeIp?: string;
  readonly runtime?: string;
  readonly usageReportInterval?: string;
  readonly proxy?: boolean;
  readonly listenMode?: string;
  readonly listenAddress?: string;
  readonly httpPort?: string;
  readonly httpsPort?: string;
  readonly dnsPort?: string;
  readonly proxyPortRange?: string;
  readonly config?: string;
}

/**
 * `flotilla agent`: the node agent (Flotilla's kubelet), talking to the control plane through NATS
 * only. agent/daemon/agent-config.ts validates the flags (a bad one exits 2 and says what to fix).
 */
export function registerAgentCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('agent')
    .description('Run the node agent: register this machine as a Node, renew its lease, run its pods, serve their logs — all through NATS.')
    .option('--node-name <name>', 'the Node this machine registers as (a DNS name, e.g. worker-1)')
    .option('--nats <urls>', 'NATS servers of the cluster, comma-separated (nats://HOST:PORT or HOST:PORT)');
  addNatsCredentialOptions(command, 'agent')
    .option('--cluster-name <name>', 'the cluster\'s NATS subject prefix flotilla.<name> (default: flotilla; must match the servers\')')
    .option('--labels <list>', 'extra node labels, KEY=VALUE comma-separated')
    .option('--taints <list>', 'node taints at registration, KEY[=VALUE]:EFFECT comma-separated')
    .option('--data-dir <dir>', 'where pods, logs and container state live (default: /var/lib/flotilla/agent)')
    .option('--node-ip <ip>', 'the address Endpoints and probes use (default: the first non-loopback IPv4)')
    .option('--runtime <name>', 'what pods without runtimeClassName run on: process (commands on the host, the default) or oci (images from podman\'s local store, through crun/runc)')
    .option('--usage-report-interval <seconds>', 'how often pod and node cpu/memory usage is reported for kubectl top (default: 15)')
    .option('--proxy', 'also run the node proxy (Services, NodePorts, Ingress, DNS) in this process, on the agent\'s NATS connection')
    .option('--listen-mode <mode>', 'the proxy\'s auto, cluster-ip or ports; without --proxy: how this node\'s proxy listens, for the Service variables (default: auto)')
    .option('--listen-address <ip>', 'with --proxy: where NodePorts, proxy ports, ingress and DNS listen (default: --node-ip)')
    .option('--http-port <port>', 'with --proxy: ingress HTTP port, 0 for off (default: 80)')
    .option('--https-port <port>', 'with --proxy: ingress HTTPS port, 0 for off (default: 443)')
    .option('--dns-port <port>', 'with --proxy: cluster DNS port (UDP and TCP), 0 for off (default: 53)')
    .option('--proxy-port-range <first-last>', 'with --proxy: where proxy ports are assigned from (default: 20000-29999)')
    .option('--config <file>', 'YAML file whose keys are these flags\' names (flags override it); flotilla join --role agent writes one')
    .action(async (given: AgentCommandFlags, command: Command) => {
      let flags = given;
      // Loaded only when used, like the proxy below: what an agent never runs costs it no memory.
      if (given.config !== undefined) {
        const { FlagsFileError, mergeFlagsFile } = await import('./flags-file.ts');
        try {
          flags = await mergeFlagsFile(given, given.config, command);
        } catch (error) {
          if (!(error instanceof FlagsFileError)) throw error;
          process.stderr.write(`flotilla agent: ${error.message}\n`);
          setExitCode(2);
          return;
        }
      }
      const { AgentConfigError, resolveAgentConfig, runAgent } = await import('../agent/index.ts');
      const { agentProxyFlags, proxyCompanion, strayProxyFlagsMessage } = await import('./agent-proxy.ts');
      const stray = agentProxyFlags.filter((name) => flags[name] !== undefined);
      const usageError = (message: string): void => {
        process.stderr.write(`flotilla agent: ${message}\n(run flotilla agent --help for usage)\n`);
        setExitCode(2);
      };
      let config;
      let companion;
      try {
        config = resolveAgentConfig(flags);
      } catch (error) {
        if (!(error instanceof AgentConfigError)) throw error;
        usageError(error.message);
        return;
      }
      if (flags.proxy !== true && stray.length > 0) {
        usageError(strayProxyFlagsMessage(stray));
        return;
      }
      if (flags.proxy === true) {
        const { ProxyConfigError, parseProxyFlags } = await import('../proxy/index.ts');
        try {
          companion = proxyCompanion(parseProxyFlags({ ...flags, nodeName: config.nodeName, nodeIp: config.nodeIp }), config.nats.clusterName);
        } catch (error) {
          if (!(error instanceof ProxyConfigError)) throw error;
          usageError(error.message);
          return;
        }
      }
      const code = await runAgent(config, companion === undefined ? {} : { companion });
      exitWhenStopped(code, setExitCode);
    });
}
