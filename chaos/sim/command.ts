import { microsecondsPerSecond, tickUs } from './config.ts';
import { createRaftCore } from './core-factory.ts';
import { runSimulation, type SimRunResult } from './run.ts';
import { shrinkFailingSeed } from './shrink.ts';
import { emptyStats, addStats, type SimStats } from './stats.ts';
import { describeSchedule, describeStats, formatRunSummary } from './summary.ts';

export interface SimCommandOptions {
  readonly seeds: number;
  readonly seedStart: number;
  readonly seed?: number;
  readonly nodes: 3 | 5;
  readonly steps: number;
  readonly verbose: boolean;
}

/** Failing seeds that get a shrunk schedule printed; later ones print their seed and reason only. */
export const shrunkFailuresMax = 3;

/** Nominal ticks of faults per run: long enough for elections, snapshots, membership changes and transfers; short enough for 2 000 seeds in minutes. */
export const defaultSimSteps = 600;

type Print = (line: string) => void;

/**
 * `flotilla sim`: runs seeds (or replays one with `--seed`), prints failures with their seed and
 * shrunk schedule, then the speed, the aggregate counters and, last, `N passed, M failed`.
 */
export async function runSimCommand(options: SimCommandOptions, print: Print = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const seeds = options.seed === undefined ? range(options.seedStart, options.seeds) : [options.seed];
  const replay = options.seed !== undefined;
  const total = emptyStats();
  let passed = 0;
  let failed = 0;
  let simulatedUs = 0;
  let inconclusive = 0;
  let wallMs = 0;
  for (const seed of seeds) {
    const startedMs = performance.now();
    const result = runSimulation({ seed, nodes: options.nodes, steps: options.steps, createCore: createRaftCore, timeline: replay || options.verbose });
    // Speed counts simulation only, not shrinking or printing.
    wallMs += performance.now() - startedMs;
    addStats(total, result.stats);
    simulatedUs += result.simulatedUs;
    if (result.history?.outcome === 'inconclusive') inconclusive++;
    if (replay || options.verbose) print(formatRunSummary(result));
    if (result.passed) passed++;
    else {
      failed++;
      reportFailure(result, options, failed <= shrunkFailuresMax, print);
    }
    // Let the event loop breathe between seeds (signals, piped output).
    if ((passed + failed) % 100 === 0) await Promise.resolve();
  }
  const wallSeconds = wallMs / 1000;
  printTotals(print, { total, simulatedUs, wallSeconds, nodes: options.nodes, runs: seeds.length, inconclusive });
  print(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function reportFailure(result: SimRunResult, options: SimCommandOptions, shrink: boolean, print: Print): void {
  print(`FAILED seed ${result.seed} (${result.nodes} nodes, ${result.steps} steps): ${result.failure ?? ''}`);
  print(`  replay: npm run sim -- --seed ${result.seed} --nodes ${result.nodes} --steps ${result.steps}`);
  if (!shrink) return;
  const shrunk = shrinkFailingSeed(result.seed, options.nodes, options.steps, createRaftCore);
  if (shrunk === null) {
    print('  (fast-check could not reproduce the failure while shrinking)');
    return;
  }
  print(`  schedule shrunk by fast-check (${shrunk.shrinks} shrinks, ${shrunk.runs} runs): ${shrunk.failure}`);
  for (const line of describeSchedule(shrunk.schedule, shrunk.failureAtUs)) print(`    ${line}`);
}

interface Totals {
  readonly total: SimStats;
  readonly simulatedUs: number;
  readonly wallSeconds: number;
  readonly nodes: number;
  readonly runs: number;
  readonly inconclusive: number;
}

function printTotals(print: Print, totals: Totals): void {
  const clusterSeconds = totals.simulatedUs / microsecondsPerSecond;
  const speed = clusterSeconds / Math.max(totals.wallSeconds, 1e-9);
  print(
    `speed: ${Math.round(clusterSeconds)} simulated cluster-seconds (${totals.runs} runs of ${totals.nodes}-node clusters, ` +
      `1 tick = ${tickUs / 1000} ms) in ${totals.wallSeconds.toFixed(1)} wall-seconds = ${Math.round(speed)} cluster-seconds per wall-second`,
  );
  for (const line of describeStats(totals.total)) print(`totals: ${line}`);
  if (totals.inconclusive > 0) print(`linearizability: ${totals.inconclusive} histories inconclusive (search budget spent)`);
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
