import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parseIntegerOption } from './integer-option.ts';

interface StatusFlags {
  readonly endpoints?: string;
  readonly dir: string;
  readonly timeoutMs: number;
}

/**
 * `flotilla status`: role, term, commit/applied index, leader and lag of every member (via
 * Maintenance.Status). Without --endpoints it reads the local cluster `flotilla up` started in
 * --dir: every component (state, pid, ports), then the same member table for its replicas.
 */
export function registerStatusCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('status')
    .description('Print each member\'s role, term, commit and applied index, leader and lag; exit 1 if there is no leader or a member is unreachable.')
    .option('--endpoints <list>', 'client endpoints HOST:PORT, comma-separated (default: the replicas of the local cluster in --dir)')
    .option('--dir <dir>', 'the directory given to flotilla up, when --endpoints is not given', '.flotilla')
    .option('--timeout-ms <ms>', 'per-endpoint timeout', parseIntegerOption('--timeout-ms', 100, 600_000), 3_000)
    .action(async (flags: StatusFlags) => {
      const { runStatus } = await import('../control-plane/index.ts');
      let endpoints: string[];
      if (flags.endpoints === undefined) {
        const local = await localClusterEndpoints(resolve(flags.dir));
        if (local === null) {
          process.stderr.write(`flotilla status: give --endpoints HOST:PORT,... or --dir with a cluster flotilla up started (none in ${resolve(flags.dir)})\n`);
          setExitCode(2);
          return;
        }
        endpoints = local;
      } else {
        endpoints = flags.endpoints.split(',').map((endpoint) => endpoint.trim().replace(/^https?:\/\//, '')).filter((endpoint) => endpoint !== '');
      }
      if (endpoints.length === 0) {
        process.stderr.write('flotilla status: --endpoints needs at least one HOST:PORT\n');
        setExitCode(2);
        return;
      }
      setExitCode(await runStatus(endpoints, { timeoutMs: flags.timeoutMs, write: (text) => process.stdout.write(text) }));
    });
}

/** Prints the local cluster's components and returns its replicas' client endpoints, or null when there is none. */
async function localClusterEndpoints(directory: string): Promise<string[] | null> {
  const { LocalCluster, formatComponentStatus, readClusterState } = await import('../chaos/local-cluster/index.ts');
  const { realEnv } = await import('../common/index.ts');
  if ((await readClusterState(directory)) === null) return null;
  const cluster = await LocalCluster.attach(directory, realEnv());
  process.stdout.write(`${formatComponentStatus(cluster.state, await cluster.status())}\n`);
  return cluster.state.servers.map((server) => server.clientEndpoint);
}
