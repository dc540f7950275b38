import type { Command } from 'commander';
import { parseIntegerOption } from './integer-option.ts';

interface SaveFlags {
  readonly endpoints: string;
  readonly timeoutMs: number;
}

interface RestoreFlags {
  readonly dataDir?: string;
  readonly name?: string;
  readonly initialCluster?: string;
  readonly clusterToken?: string;
  readonly config?: string;
}

/** `flotilla snapshot save|status|restore`: backups of the replicated store and new clusters from them. */
export function registerSnapshotCommand(program: Command, setExitCode: (code: number) => void): void {
  const snapshot = program.command('snapshot').description('Back up the replicated store to a file, check a backup, or build a new cluster from one.');
  const usage = (message: string): void => {
    process.stderr.write(`flotilla snapshot: ${message}\n(run flotilla snapshot --help for usage)\n`);
    setExitCode(2);
  };

  snapshot
    .command('save <file>')
    .description('Stream a consistent snapshot from a member (Maintenance.Snapshot after a ReadIndex), verify its checksum, write it to FILE.')
    .requiredOption('--endpoints <list>', 'client endpoints HOST:PORT (each server\'s --client-listen), comma-separated; the first that answers is used')
    .option('--timeout-ms <ms>', 'for the whole download', parseIntegerOption('--timeout-ms', 1_000, 86_400_000), 600_000)
    .action(async (file: string, flags: SaveFlags) => {
      const endpoints = splitList(flags.endpoints).map((endpoint) => endpoint.replace(/^https?:\/\//, ''));
      if (endpoints.length === 0) return usage('--endpoints needs at least one HOST:PORT');
      const { saveSnapshot, describeSnapshot } = await import('../control-plane/index.ts');
      try {
        const saved = await saveSnapshot({ file, endpoints, timeoutMs: flags.timeoutMs });
        process.stdout.write(`Snapshot saved from ${saved.endpoint}:\n${describeSnapshot(file, saved)}`);
      } catch (error) {
        process.stderr.write(`flotilla snapshot save: ${(error as Error).message}\n`);
        setExitCode(1);
      }
    });

  snapshot
    .command('status <file>')
    .description('Verify a snapshot file end to end (format, checksum, counts) and print what it holds.')
    .action(async (file: string) => {
      const { inspectSnapshotFile, describeSnapshot } = await import('../control-plane/index.ts');
      try {
        process.stdout.write(`Snapshot is intact:\n${describeSnapshot(file, await inspectSnapshotFile(file))}`);
      } catch (error) {
        process.stderr.write(`flotilla snapshot status: ${file}: ${(error as Error).message}\n`);
        setExitCode(1);
      }
    });

  snapshot
    .command('restore <file>')
    .description('Build one member\'s data directory of a NEW cluster from a snapshot (like etcdutl snapshot restore); run it on every member with the same file and --initial-cluster.')
    .option('--data-dir <dir>', 'the new member\'s data directory (must not exist or be empty)')
    .option('--name <name>', 'the new member\'s name (must appear in --initial-cluster)')
    .option('--initial-cluster <list>', 'every member of the new cluster as NAME=HOST:PORT (peer addresses)')
    .option('--cluster-token <token>', 'the new cluster\'s token (default: derived from the names, as flotilla server does)')
    .option('--config <file>', 'or take name, data-dir, initial-cluster and cluster-token from this flotilla server config file (flags override it)')
    .action(async (file: string, flags: RestoreFlags) => {
      const resolved = await resolveRestoreFlags(flags);
      if (typeof resolved === 'string') return usage(resolved);
      const { restoreSnapshot, restoreNextSteps } = await import('../control-plane/index.ts');
      const { createLogger } = await import('../common/index.ts');
      const request = { file, ...resolved, logger: createLogger('flotilla-snapshot-restore', { level: 'warn' }) };
      try {
        process.stdout.write(restoreNextSteps(request, await restoreSnapshot(request)));
      } catch (error) {
        process.stderr.write(`flotilla snapshot restore: ${(error as Error).message}\n`);
        setExitCode(1);
      }
    });
}

type RestoreSettings = Pick<import('../control-plane/index.ts').SnapshotRestoreRequest, 'dataDir' | 'name' | 'initialCluster' | 'clusterToken'>;

/** The restore's settings from flags, or from a server config file; a string says what to fix. */
async function resolveRestoreFlags(flags: RestoreFlags): Promise<RestoreSettings | string> {
  const { loadServerConfig, parseInitialCluster, ConfigError } = await import('../control-plane/index.ts');
  if (flags.config !== undefined) {
    const overrides = {
      ...(flags.name === undefined ? {} : { name: flags.name }),
      ...(flags.dataDir === undefined ? {} : { 'data-dir': flags.dataDir }),
      ...(flags.initialCluster === undefined ? {} : { 'initial-cluster': flags.initialCluster }),
      ...(flags.clusterToken === undefined ? {} : { 'cluster-token': flags.clusterToken }),
    };
    try {
      const config = await loadServerConfig(overrides, flags.config);
      return { dataDir: config.dataDir, name: config.name, initialCluster: config.initialCluster, clusterToken: config.clusterToken };
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
  }
  const problems: string[] = [];
  if (flags.dataDir === undefined) problems.push('--data-dir is required (or --config)');
  if (flags.name === undefined) problems.push('--name is required (or --config)');
  const initialCluster = flags.initialCluster === undefined ? [] : parseInitialCluster(flags.initialCluster, problems);
  if (flags.initialCluster === undefined) problems.push('--initial-cluster is required (or --config)');
  if (flags.name !== undefined && initialCluster.length > 0 && !initialCluster.some((member) => member.name === flags.name)) {
    problems.push(`--initial-cluster must list --name ${flags.name}`);
  }
  if (flags.clusterToken === '') problems.push('--cluster-token must not be empty');
  if (problems.length > 0 || flags.dataDir === undefined || flags.name === undefined) return problems.join('; ');
  return { dataDir: flags.dataDir, name: flags.name, initialCluster, clusterToken: flags.clusterToken ?? null };
}

function splitList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}
