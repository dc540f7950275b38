import type { Command } from 'commander';
import { addNatsCredentialOptions, exitWhenStopped, type NatsCredentialFlags } from './nats-client-flags.ts';

interface ServerFlags extends NatsCredentialFlags {
  readonly name?: string;
  readonly dataDir?: string;
  readonly peerListen?: string;
  readonly clientListen?: string;
  readonly initialCluster?: string;
  readonly initialClusterState?: string;
  readonly clusterToken?: string;
  readonly advertiseClientUrl?: string;
  readonly tickMs?: string;
  readonly electionTicks?: string;
  readonly heartbeatTicks?: string;
  readonly snapshotEntries?: string;
  readonly metricsListen?: string;
  readonly apiListen?: string;
  readonly apiSan?: string;
  readonly nats?: string;
  readonly clusterName?: string;
  readonly joinListen?: string;
  readonly natsAdvertise?: string;
  readonly autoPromote?: string;
  readonly config?: string;
}

/**
 * `flotilla server`: one replica of the replicated store, serving the etcd v3 API. Flags have no
 * commander defaults so that a config file can supply them; control-plane/server/config.ts applies
 * defaults and validates both the same way (a bad setting exits with code 2 and says what to fix).
 */
export function registerServerCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('server')
    .description('Run one replica of the replicated store (Raft on LevelDB), serving the etcd v3 gRPC API and, with --api-listen, the Kubernetes API.')
    .option('--name <name>', 'this member\'s name (must appear in --initial-cluster)')
    .option('--data-dir <dir>', 'where this member keeps its LevelDB, snapshots and identity')
    .option('--peer-listen <host:port>', 'address for Raft traffic from the other members')
    .option('--client-listen <host:port>', 'address of the etcd v3 gRPC API')
    .option('--initial-cluster <list>', 'every member as NAME=HOST:PORT (peer addresses), comma-separated')
    .option('--initial-cluster-state <state>', '"new" to bootstrap, "existing" to join after `etcdctl member add` (default: new)')
    .option('--cluster-token <token>', 'cluster identity checked by peers (default: derived from the --initial-cluster names)')
    .option('--advertise-client-url <url>', 'client URL published to the other members (default: http://<client-listen>)')
    .option('--tick-ms <ms>', 'Raft tick length (default: 50)')
    .option('--election-ticks <n>', 'election timeout in ticks, randomized up to 2x (default: 6)')
    .option('--heartbeat-ticks <n>', 'heartbeat interval in ticks (default: 1)')
    .option('--snapshot-entries <n>', 'applied entries between snapshots (default: 10000)')
    .option('--metrics-listen <host:port>', 'serve /metrics and /healthz over HTTP here (default: off)')
    .option('--api-listen <host:port>', 'serve the Kubernetes API (HTTPS) here, e.g. 0.0.0.0:6443 (default: off)')
    .option('--api-san <names>', 'extra DNS names/IPs for this replica\'s API certificate, comma-separated')
    .option('--nats <urls>', 'serve node agents through these NATS servers, comma-separated (needs --api-listen; default: off)');
  addNatsCredentialOptions(command, 'server')
    .option('--cluster-name <name>', 'NATS subject prefix flotilla.<name>, shared with the agents (default: flotilla)')
    .option('--join-listen <host:port>', 'serve flotilla join (HTTPS, cluster CA) here, e.g. 0.0.0.0:6444 (default: off)')
    .option('--nats-advertise <urls>', 'NATS URLs handed to agents that join, comma-separated (default: the --nats URLs that are not loopback)')
    .option('--auto-promote <bool>', 'while a learner, ask to be promoted once caught up: true or false (default: false; flotilla join sets it)')
    .option('--config <file>', 'YAML file with the same keys as these flags (flags override it)')
    .action(async (flags: ServerFlags) => {
      const { ConfigError, loadServerConfig, runServer } = await import('../control-plane/index.ts');
      const settings = {
        name: flags.name,
        'data-dir': flags.dataDir,
        'peer-listen': flags.peerListen,
        'client-listen': flags.clientListen,
        'initial-cluster': flags.initialCluster,
        'initial-cluster-state': flags.initialClusterState,
        'cluster-token': flags.clusterToken,
        'advertise-client-url': flags.advertiseClientUrl,
        'tick-ms': flags.tickMs,
        'election-ticks': flags.electionTicks,
        'heartbeat-ticks': flags.heartbeatTicks,
        'snapshot-entries': flags.snapshotEntries,
        'metrics-listen': flags.metricsListen,
        'api-listen': flags.apiListen,
        'api-san': flags.apiSan,
        nats: flags.nats,
        'nats-user': flags.natsUser,
        'nats-password': flags.natsPassword,
        'nats-nkey-seed-file': flags.natsNkeySeedFile,
        'nats-tls-ca': flags.natsTlsCa,
        'nats-tls-cert': flags.natsTlsCert,
        'nats-tls-key': flags.natsTlsKey,
        'cluster-name': flags.clusterName,
        'join-listen': flags.joinListen,
        'nats-advertise': flags.natsAdvertise,
        'auto-promote': flags.autoPromote,
      };
      const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
      let config;
      try {
        config = await loadServerConfig(defined, flags.config ?? null);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        process.stderr.write(`flotilla server: ${error.message}\n(run flotilla server --help for usage)\n`);
        setExitCode(2);
        return;
      }
      const code = await runServer(config);
      exitWhenStopped(code, setExitCode);
    });
}
