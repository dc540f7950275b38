import { Command, Option } from 'commander';
import { parseIntegerOption } from './integer-option.ts';
import { registerControlPlaneSimCommand } from './sim-control-plane-command.ts';

interface SimFlags {
  seeds: number;
  seedStart: number;
  seed?: number;
  nodes: string;
  steps: number;
  verbose?: boolean;
  workers?: number;
}

/** `flotilla sim`: seeded, deterministic simulations of whole Raft clusters under faults. */
export function registerSimCommand(program: Command, setExitCode: (code: number) => void): void {
  const sim = program
    .command('sim')
    // `sim control-plane` has options of the same names: ours are read only before it.
    .enablePositionalOptions()
    .description('Run seeded simulations of a Raft cluster under faults; a failing seed replays exactly with --seed.')
    .option('--seeds <n>', 'how many seeds to run', parseIntegerOption('--seeds', 1, 10_000_000), 100)
    .option('--seed-start <s>', 'the first seed', parseIntegerOption('--seed-start', 0, 2 ** 32 - 1), 1)
    .option('--seed <s>', 'run (replay) this one seed, with a detailed summary', parseIntegerOption('--seed', 0, 2 ** 32 - 1))
    .addOption(new Option('--nodes <n>', 'cluster size').choices(['3', '5']).default('5'))
    .option('--steps <k>', 'ticks of faults per run (1 tick = 100 simulated ms; a final heal and quiet period follow)', parseIntegerOption('--steps', 10, 10_000_000), defaultSteps)
    .option('--verbose', 'print a summary of every run')
    .option('--workers <n>', 'worker threads for many seeds (default: one per core)', parseIntegerOption('--workers', 1, 8))
    .action(async (flags: SimFlags) => {
      const { runSimCommand } = await import('../chaos/index.ts');
      setExitCode(
        await runSimCommand({
          seeds: flags.seeds,
          seedStart: flags.seedStart,
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          nodes: flags.nodes === '3' ? 3 : 5,
          steps: flags.steps,
          verbose: flags.verbose === true,
          ...(flags.workers === undefined ? {} : { workers: flags.workers }),
        }),
      );
    });
  registerControlPlaneSimCommand(sim, setExitCode);
}

/**
 * Ticks of faults per run (1 tick = 100 simulated ms). The same value as chaos' `defaultSimSteps`,
 * repeated here so that parsing arguments does not load the simulator.
 */
const defaultSteps = 600;
