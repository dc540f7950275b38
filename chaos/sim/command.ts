import { microsecondsPerSecond, tickUs } from './config.ts';
import { createRaftCore } from './core-factory.ts';
import { runSimulation, type SimRunResult } from './run.ts';
import { shrinkFailingSeed } from './shrink.ts';
import { defaultWorkerCount, runSeedsOnWorkers } from './worker-pool.ts';
import { emptyStats, addStats, type SimStats } from './stats.ts';
import { describeSchedule, describeStats, formatRunSummary } from './summary.ts';

export interface SimCommandOptions {
  readonly seeds: number;
  readonly seedStart: number;
  readonly seed?: number;
  readonly nodes: 3 | 5;
  readonly steps: number;
  readonly verbose: boolean;
  /** Worker threads for a batch of seeds; 1 runs them on this thread. */
  readonly workers?: number;
}

/** Below this many seeds, starting workers costs more than it saves. */
const seedsForWorkersMin = 50;

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
  const workers = options.workers ?? defaultWorkerCount();
  const parallel = options.seed === undefined && !options.verbose && workers > 1 && seeds.length >= seedsForWorkersMin;
  const totals = parallel ? await runOnWorkers(seeds, options, workers) : await runHere(seeds, options, print);
  // Failing seeds are replayed here, one by one, to print their reason and shrunk schedule.
  let reported = 0;
  for (const seed of totals.failedSeeds) {
    const result = parallel ? runSimulation({ seed, nodes: options.nodes, steps: options.steps, createCore: createRaftCore }) : totals.failures.get(seed);
    if (result !== undefined) reportFailure(result, options, ++reported <= shrunkFailuresMax, print);
  }
  printTotals(print, { ...totals, nodes: options.nodes, runs: seeds.length, threads: parallel ? workers : 1 });
  const failed = totals.failedSeeds.length;
  print(`${seeds.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

interface BatchTotals {
  readonly total: SimStats;
  simulatedUs: number;
  wallSeconds: number;
  inconclusive: number;
  readonly failedSeeds: number[];
  readonly failures: Map<number, SimRunResult>;
}

function emptyTotals(): BatchTotals {
  return { total: emptyStats(), simulatedUs: 0, wallSeconds: 0, inconclusive: 0, failedSeeds: [], failures: new Map() };
}

function addOutcome(totals: BatchTotals, outcome: { seed: number; passed: boolean; stats: SimStats; simulatedUs: number; historyOutcome: string | null }): void {
  addStats(totals.total, outcome.stats);
  totals.simulatedUs += outcome.simulatedUs;
  if (outcome.historyOutcome === 'inconclusive') totals.inconclusive++;
  if (!outcome.passed) totals.failedSeeds.push(outcome.seed);
}

async function runHere(seeds: readonly number[], options: SimCommandOptions, print: Print): Promise<BatchTotals> {
  const totals = emptyTotals();
  const replay = options.seed !== undefined;
  let wallMs = 0;
  for (const [position, seed] of seeds.entries()) {
    const startedMs = performance.now();
    const result = runSimulation({ seed, nodes: options.nodes, steps: options.steps, createCore: createRaftCore, timeline: replay || options.verbose });
    // Speed counts simulation only, not shrinking or printing.
    wallMs += performance.now() - startedMs;
    addOutcome(totals, { ...result, historyOutcome: result.history?.outcome ?? null });
    if (!result.passed) totals.failures.set(seed, result);
    if (replay || options.verbose) print(formatRunSummary(result));
    // Let the event loop breathe between seeds (signals, piped output).
    if (position % 100 === 99) await Promise.resolve();
  }
  totals.wallSeconds = wallMs / 1000;
  return totals;
}

async function runOnWorkers(seeds: readonly number[], options: SimCommandOptions, workers: number): Promise<BatchTotals> {
  const totals = emptyTotals();
  const startedMs = performance.now();
  await runSeedsOnWorkers({ seeds, nodes: options.nodes, steps: options.steps }, workers, (outcome) => addOutcome(totals, outcome));
  totals.wallSeconds = (performance.now() - startedMs) / 1000;
  totals.failedSeeds.sort((a, b) => a - b);
  return totals;
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
  readonly threads: number;
}


function printTotals(print: Print, totals: Totals): void {
  const clusterSeconds = totals.simulatedUs / microsecondsPerSecond;
  const speed = clusterSeconds / Math.max(totals.wallSeconds, 1e-9);
  print(
    `speed: ${Math.round(clusterSeconds)} simulated cluster-seconds (${totals.runs} runs of ${totals.nodes}-node clusters, ` +
      `1 tick = ${tickUs / 1000} ms) in ${totals.wallSeconds.toFixed(1)} wall-seconds on ${totals.threads} thread${totals.threads === 1 ? '' : 's'} = ${Math.round(speed)} cluster-seconds per wall-second`,
  );
  for (const line of describeStats(totals.total)) print(`totals: ${line}`);
  if (totals.inconclusive > 0) print(`linearizability: ${totals.inconclusive} histories inconclusive (search budget spent)`);
}

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}
