import type { Command } from 'commander';
import { parseIntegerOption } from './integer-option.ts';

interface ControlPlaneSimFlags {
  seeds: number;
  seedStart: number;
  seed?: number;
  verbose?: boolean;
}

/** `flotilla sim control-plane`: seeded, deterministic simulations of the controllers and scheduler under faults. */
export function registerControlPlaneSimCommand(sim: Command, setExitCode: (code: number) => void): void {
  sim
    .command('control-plane')
    .description('Run seeded simulations of the control plane (controllers, scheduler, simulated nodes) under faults; a failing seed replays exactly with --seed.')
    .option('--seeds <n>', 'how many seeds to run', parseIntegerOption('--seeds', 1, 10_000_000), 20)
    .option('--seed-start <s>', 'the first seed', parseIntegerOption('--seed-start', 0, 2 ** 32 - 1), 1)
    .option('--seed <s>', 'run (replay) this one seed, with its whole trace', parseIntegerOption('--seed', 0, 2 ** 32 - 1))
    .option('--verbose', 'print one line per seed')
    .action(async (flags: ControlPlaneSimFlags) => {
      const { runControlPlaneSimCommand } = await import('../chaos/index.ts');
      setExitCode(
        await runControlPlaneSimCommand({
          seeds: flags.seeds,
          seedStart: flags.seedStart,
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          verbose: flags.verbose === true,
        }),
      );
    });
}
