import { Command, Option } from 'commander';
import { registerChaosE2eCommand } from './chaos-e2e-command.ts';
import { parseIntegerOption } from './integer-option.ts';

/** `flotilla chaos kv`: seeded fault schedules against real server processes; `chaos run`/`chaos report`: declarative experiments. */
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
  registerExperimentCommands(chaos, setExitCode);
}

/** `flotilla chaos run FILE` and `flotilla chaos report RUN_DIR...` (chaos/experiments). */
function registerExperimentCommands(chaos: Command, setExitCode: (code: number) => void): void {
  chaos
    .command('run')
    .description('Run a declarative chaos experiment (YAML): probes, faults on a schedule, hypotheses; writes timeline.json and report.html.')
    .argument('<file>', 'the experiment file (see experiments/ and docs/chaos.md)')
    .option('--cluster <dir>', 'run against the cluster `flotilla up` runs in this directory')
    .option('--out <dir>', 'the run directory (default chaos-runs/<name>-<time>)')
    .action(async (file: string, flags: { cluster?: string; out?: string }) => {
      const { runChaosRunCommand } = await import('../chaos/experiments/index.ts');
      // Ctrl-C ends the run early: faults are healed and what was observed is reported.
      const interrupt = new AbortController();
      const onSignal = (): void => interrupt.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const options = { file, signal: interrupt.signal, ...(flags.cluster === undefined ? {} : { clusterDirectory: flags.cluster }), ...(flags.out === undefined ? {} : { outDirectory: flags.out }) };
        setExitCode(await runChaosRunCommand(options, (line) => console.log(line)));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
  chaos
    .command('report')
    .description('Compare chaos runs side by side: a text table and one HTML page (failover, unavailability, max latency, hypotheses).')
    .argument('<run-dirs...>', 'run directories written by `flotilla chaos run`')
    .option('--out <file>', 'the comparison page', 'chaos-comparison.html')
    .action(async (runDirectories: string[], flags: { out: string }) => {
      const { runChaosReportCommand } = await import('../chaos/experiments/index.ts');
      setExitCode(await runChaosReportCommand({ runDirectories, outFile: flags.out }, (line) => console.log(line)));
    });
}
