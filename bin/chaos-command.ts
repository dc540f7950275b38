import { Command, Option } from 'commander';
import { registerChaosE2eCommand } from './chaos-e2e-command.ts';
import { parseIntegerOption } from './main.ts';

/** `flotilla chaos kv`: seeded fault schedules against real server processes. */
export function registerChaosCommand(program: Command, setExitCode: (code: number) => void): void {
  const chaos = program.command('chaos').description('Chaos on real processes: faults, clients, and checks of what survived.');
  chaos
    .command('kv')
    .description('Real `flotilla server` replicas behind fault relays; clients check linearizability and convergence.')
    .option('--runs <n>', 'how many seeded runs', parseIntegerOption('--runs', 1, 100_000), 20)
    .option('--seed-start <s>', 'the first seed', parseIntegerOption('--seed-start', 0, 2 ** 31 - 1), 1)
    .addOption(new Option('--nodes <n>', 'cluster size').choices(['3', '5']).default('3'))
    .option('--run-ms <ms>', 'how long faults and load run', parseIntegerOption('--run-ms', 1_000, 3_600_000), 6_000)
    .action(async (flags: { runs: number; seedStart: number; nodes: string; runMs: number }) => {
      const { runKvChaosCommand } = await import('../chaos/index.ts');
      const options = { runs: flags.runs, seedStart: flags.seedStart, nodes: flags.nodes === '5' ? (5 as const) : (3 as const), runMs: flags.runMs };
      setExitCode(await runKvChaosCommand(options, (line) => console.log(line)));
    });
  registerChaosE2eCommand(chaos, setExitCode);
}
