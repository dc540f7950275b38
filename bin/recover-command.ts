import type { Command } from 'commander';

interface RecoverFlags {
  readonly dataDir?: string;
  readonly config?: string;
  readonly dryRun?: boolean;
}

/** `flotilla recover`: one stopped survivor becomes a new one-member cluster (etcd's --force-new-cluster). */
export function registerRecoverCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('recover')
    .description('After losing quorum for good: make ONE stopped survivor a one-member cluster from its own data, so the others can join again.')
    .option('--data-dir <dir>', 'the stopped survivor\'s data directory')
    .option('--config <file>', 'or the data-dir of this flotilla server config file')
    .option('--dry-run', 'only print what the data directory holds (pick the survivor with the highest log index)')
    .action(async (flags: RecoverFlags) => {
      const dataDir = flags.dataDir ?? (flags.config === undefined ? undefined : await dataDirOfConfig(flags.config));
      if (dataDir === undefined || dataDir === '') {
        process.stderr.write('flotilla recover: give --data-dir DIR (or --config FILE naming data-dir)\n(run flotilla recover --help for usage)\n');
        setExitCode(2);
        return;
      }
      const { stat } = await import('node:fs/promises');
      const { join } = await import('node:path');
      if ((await stat(join(dataDir, 'member.json')).catch(() => null)) === null) {
        process.stderr.write(`flotilla recover: ${dataDir} is not a server's data directory (no member.json): give the survivor's data-dir\n`);
        setExitCode(2);
        return;
      }
      const { runRecover } = await import('../control-plane/index.ts');
      const { createLogger } = await import('../common/index.ts');
      try {
        process.stdout.write(await runRecover({ dataDir, dryRun: flags.dryRun === true, logger: createLogger('flotilla-recover', { level: 'warn' }) }));
      } catch (error) {
        process.stderr.write(`flotilla recover: ${(error as Error).message}\n`);
        setExitCode(1);
      }
    });
}

async function dataDirOfConfig(path: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  const { parse } = await import('yaml');
  try {
    const value: unknown = parse(await readFile(path, 'utf8'));
    const dataDir = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['data-dir'] : undefined;
    return typeof dataDir === 'string' ? dataDir : undefined;
  } catch {
    return undefined;
  }
}
