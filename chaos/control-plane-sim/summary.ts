import { describeLate } from './leadership.ts';
import type { ControlPlaneSimCounters, ControlPlaneSimResult } from './run.ts';
import { describeAction, type TimedAction } from './scenario.ts';

/** Action lines of a list, with the virtual time each one starts at (after the warm-up). */
export function describeActions(actions: readonly TimedAction[], warmUpMs: number): string[] {
  let atMs = warmUpMs;
  return actions.map((timed) => {
    atMs += timed.afterMs;
    return `t=${(atMs / 1000).toFixed(3)}s ${describeAction(timed.action)}`;
  });
}

export function describeCounters(counters: ControlPlaneSimCounters): string[] {
  const faults = counters.storeFaults;
  return [
    `leader terms ${counters.leaderTerms}; deposed leaders' late writes: ${describeLate(counters.lateWrites)}`,
    `store faults: ${faults.refusedWrites} writes refused, ${faults.lostWriteAnswers} write answers lost, ${faults.failedReads} reads failed, ${faults.cutWatches} watch streams cut`,
    `store revision ${counters.storeRevision}, ${counters.timerSteps} timer steps, ${counters.nodeErrors} kubelet request errors, ${counters.containersRunning} containers running at the end, ${counters.finalLeaderRelists} re-lists by the final leader's informers`,
  ];
}

/** A readable summary of one run: outcome, counters, violations, and the trace. */
export function formatRunSummary(result: ControlPlaneSimResult): string {
  const lines = [
    `seed ${result.seed}: ${result.passed ? 'passed' : 'FAILED'} after ${(result.simulatedMs / 1000).toFixed(1)} simulated seconds, trace ${result.traceHash.slice(0, 16)} (${result.traceLineCount} lines)`,
    ...describeCounters(result.counters).map((line) => `  ${line}`),
    ...result.violations.map((violation) => `  violation ${violation.property}: ${violation.message}`),
    '  trace:',
    ...result.trace.map((line) => `    ${line}`),
  ];
  if (result.trace.length < result.traceLineCount) lines.push(`    … ${result.traceLineCount - result.trace.length} more lines (hashed, not kept)`);
  return lines.join('\n');
}
