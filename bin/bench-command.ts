import { Command, InvalidArgumentError } from 'commander';
import { parseIntegerOption } from './main.ts';

function parseConcurrencies(value: string): number[] {
  const levels = value.split(',').map(Number);
  if (levels.some((level) => !Number.isInteger(level) || level < 1 || level > 4096)) {
    throw new InvalidArgumentError(`--concurrency takes whole numbers from 1 to 4096 separated by commas, got "${value}".`);
  }
  return levels;
}

/** `flotilla bench kv|failover`: benchmarks with their anchor measured in the same run. */
export function registerBenchCommand(program: Command, setExitCode: (code: number) => void): void {
  const bench = program.command('bench').description('Benchmarks, each with its anchor (etcd, HAProxy) measured in the same run.');
  bench
    .command('kv')
    .description('3 Flotilla replicas vs 3 etcd 3.4 members through the same etcd3 client.')
    .option('--duration-ms <ms>', 'length of each phase', parseIntegerOption('--duration-ms', 500, 600_000), 5_000)
    .option('--concurrency <list>', 'client concurrency levels', parseConcurrencies, [1, 64, 256])
    .action(async (flags: { durationMs: number; concurrency: number[] }) => {
      const { runKvBench } = await import('../bench/index.ts');
      await runKvBench({ durationMs: flags.durationMs, concurrencies: flags.concurrency }, (line) => console.log(line));
      setExitCode(0);
    });
  bench
    .command('failover')
    .description('kill -9 the leader repeatedly under a light write load; time to the first successful write.')
    .option('--kills <n>', 'how many leader kills', parseIntegerOption('--kills', 1, 1000), 20)
    .action(async (flags: { kills: number }) => {
      const { runFailoverBench } = await import('../bench/index.ts');
      await runFailoverBench(flags.kills, (line) => console.log(line));
      setExitCode(0);
    });
}
