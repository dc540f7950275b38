import { RunTimings, runControlPlaneSimulation, type ControlPlaneSimCounters, type ControlPlaneSimOptions, type ControlPlaneSimResult } from './run.ts';
import { shrinkFailingSeed } from './shrink.ts';
import { describeActions, formatRunSummary } from './summary.ts';

export interface ControlPlaneSimCommandOptions {
  readonly seeds: number;
  readonly seedStart: number;
  /** Replay this one seed with its whole trace. */
  readonly seed?: number;
  readonly verbose: boolean;
  /** Programmatic only (tests): run with broken controllers or kubelets to see failures reported. */
  readonly variant?: Pick<ControlPlaneSimOptions, 'factories' | 'deletionHandling'>;
}

/** Failing seeds that get a shrunk action list printed; later ones print their seed and reason only. */
export const shrunkFailuresMax = 2;

type Print = (line: string) => void;

interface Totals {
  simulatedMs: number;
  wallMs: number;
  terms: number;
  lateAttempted: number;
  lateRefused: number;
  lateApplied: number;
  lateFailed: number;
  refusedWrites: number;
  lostWriteAnswers: number;
  failedReads: number;
  cutWatches: number;
}

/**
 * `flotilla sim control-plane`: runs seeds of the control-plane simulation (or replays one with
 * `--seed`), prints each failure with its seed, replay command and shrunk action list, then the
 * speed, the totals and, last, `N passed, M failed`. Returns the exit code.
 */
export async function runControlPlaneSimCommand(options: ControlPlaneSimCommandOptions, print: Print = (line) => process.stdout.write(`${line}\n`)): Promise<number> {
  const seeds = options.seed === undefined ? Array.from({ length: options.seeds }, (_, index) => options.seedStart + index) : [options.seed];
  const totals: Totals = { simulatedMs: 0, wallMs: 0, terms: 0, lateAttempted: 0, lateRefused: 0, lateApplied: 0, lateFailed: 0, refusedWrites: 0, lostWriteAnswers: 0, failedReads: 0, cutWatches: 0 };
  const failures: ControlPlaneSimResult[] = [];
  for (const seed of seeds) {
    const startedMs = performance.now();
    const result = await runControlPlaneSimulation({ ...options.variant, seed });
    // Speed counts simulation only, not shrinking or printing.
    totals.wallMs += performance.now() - startedMs;
    addCounters(totals, result.simulatedMs, result.counters);
    if (!result.passed) failures.push(result);
    if (options.seed !== undefined) print(formatRunSummary(result));
    else if (options.verbose) print(`seed ${seed}: ${result.passed ? 'passed' : 'FAILED'} (trace ${result.traceHash.slice(0, 16)})`);
  }
  for (const [position, failure] of failures.entries()) await reportFailure(failure, position < shrunkFailuresMax ? options.variant ?? {} : null, print);
  printTotals(totals, seeds.length, print);
  print(`${seeds.length - failures.length} passed, ${failures.length} failed`);
  return failures.length === 0 ? 0 : 1;
}

/** `shrinkWith` null: no shrinking (past the first failures); otherwise the run options to shrink with. */
async function reportFailure(result: ControlPlaneSimResult, shrinkWith: Pick<ControlPlaneSimOptions, 'factories' | 'deletionHandling'> | null, print: Print): Promise<void> {
  const first = result.violations[0];
  print(`FAILED seed ${result.seed}: ${first === undefined ? '' : `${first.property}: ${first.message}`}${result.violations.length > 1 ? ` (+${result.violations.length - 1} more)` : ''}`);
  print(`  replay: npx flotilla sim control-plane --seed ${result.seed}`);
  if (shrinkWith === null) return;
  const shrunk = await shrinkFailingSeed(result.seed, shrinkWith);
  if (shrunk === null) {
    print('  (fast-check could not reproduce the failure while shrinking)');
    return;
  }
  const properties = [...new Set(shrunk.result.violations.map((violation) => violation.property))].join(', ');
  print(`  actions shrunk by fast-check (${shrunk.shrinks} shrinks, ${shrunk.runs} runs) from ${result.actions.length} to ${shrunk.actions.length}, still failing ${properties}:`);
  for (const line of describeActions(shrunk.actions, RunTimings.warmUpMs)) print(`    ${line}`);
}

function addCounters(totals: Totals, simulatedMs: number, counters: ControlPlaneSimCounters): void {
  totals.simulatedMs += simulatedMs;
  totals.terms += counters.leaderTerms;
  totals.lateAttempted += counters.lateWrites.attempted;
  totals.lateRefused += counters.lateWrites.refused + counters.lateWrites.existed;
  totals.lateApplied += counters.lateWrites.applied;
  totals.lateFailed += counters.lateWrites.failed;
  totals.refusedWrites += counters.storeFaults.refusedWrites;
  totals.lostWriteAnswers += counters.storeFaults.lostWriteAnswers;
  totals.failedReads += counters.storeFaults.failedReads;
  totals.cutWatches += counters.storeFaults.cutWatches;
}

function printTotals(totals: Totals, runs: number, print: Print): void {
  const simulatedSeconds = totals.simulatedMs / 1000;
  const wallSeconds = totals.wallMs / 1000;
  print(`speed: ${Math.round(simulatedSeconds)} simulated seconds (${runs} runs) in ${wallSeconds.toFixed(1)} wall-seconds = ${Math.round(simulatedSeconds / Math.max(wallSeconds, 1e-9))} simulated seconds per wall-second`);
  print(`totals: ${totals.terms} leader terms; deposed leaders' late writes ${totals.lateAttempted} (${totals.lateRefused} refused by compare-and-swap, ${totals.lateApplied} still valid and applied, ${totals.lateFailed} failed on store faults)`);
  print(`totals: store faults ${totals.refusedWrites} writes refused, ${totals.lostWriteAnswers} write answers lost, ${totals.failedReads} reads failed, ${totals.cutWatches} watch streams cut`);
}
