import type { Command } from 'commander';
import { parseIntegerOption } from './integer-option.ts';

/** `flotilla chaos e2e`: seeded kubectl changes and process faults on a real local cluster, then convergence checks. */
export function registerChaosE2eCommand(chaos: Command, setExitCode: (code: number) => void): void {
  chaos
    .command('e2e')
    .description('A real local cluster (3 servers, 2 agents, nats-server); seeded kubectl changes with kill -9, partitions and NATS restarts; checks that everything converges.')
    .option('--runs <n>', 'how many seeded runs', parseIntegerOption('--runs', 1, 100_000), 5)
    .option('--seed-start <s>', 'the first seed', parseIntegerOption('--seed-start', 0, 2 ** 31 - 1), 1)
    .option('--steps <n>', 'longest action list', parseIntegerOption('--steps', 1, 40), 10)
    .option('--converge-seconds <s>', 'how long the healed cluster has to converge', parseIntegerOption('--converge-seconds', 10, 3_600), 90)
    .option('--shrink-runs <n>', 'real runs a failing seed may use to shrink its action list (0: none)', parseIntegerOption('--shrink-runs', 0, 200), 8)
    .action(async (flags: { runs: number; seedStart: number; steps: number; convergeSeconds: number; shrinkRuns: number }) => {
      const { runE2eChaosCommand } = await import('../chaos/index.ts');
      const options = { runs: flags.runs, seedStart: flags.seedStart, steps: flags.steps, convergenceSeconds: flags.convergeSeconds, shrinkRuns: flags.shrinkRuns };
      setExitCode(await runE2eChaosCommand(options, (line) => console.log(line)));
    });
}
