import { violationsReportedMax, type E2eViolation } from './checks/violation.ts';
import { describeStep, isFault, type PlanStep } from './plan.ts';
import type { E2eRunResult } from './run.ts';
import type { ShrunkPlan } from './shrink.ts';

export interface SeedOutcome {
  readonly seed: number;
  readonly steps: readonly PlanStep[];
  readonly result: E2eRunResult;
  readonly shrunk: ShrunkPlan | null;
  /** Where the cluster's logs and data were kept (a failed run keeps them). */
  readonly directory: string;
}

function formatViolations(violations: readonly E2eViolation[]): string[] {
  const shown = violations.slice(0, violationsReportedMax).map((violation) => `    [${violation.property}] ${violation.message}`);
  const hidden = violations.length - shown.length;
  return hidden > 0 ? [...shown, `    … and ${hidden} more`] : shown;
}

/** One seed's lines: a passing seed is one line; a failing one tells its story and how to replay it. */
export function formatSeedOutcome(outcome: SeedOutcome): string {
  const { seed, result } = outcome;
  const faults = outcome.steps.filter((step) => isFault(step.action)).length;
  const head = `seed ${seed}: ${result.passed ? 'passed' : 'FAILED'} — ${outcome.steps.length} steps (${faults} faults), converged in ${(result.convergenceMs / 1_000).toFixed(1)} s, ${(result.durationMs / 1_000).toFixed(1)} s in all`;
  if (result.passed) return `${head}\n  ${result.summary}`;
  const lines = [head, '  what the steps did:', ...result.journal.map((line) => `    ${line}`), '  violations:', ...formatViolations(result.violations)];
  if (outcome.shrunk !== null) {
    lines.push(`  shrunk action list (${outcome.shrunk.runs} real runs; it failed once, timing is not replayed):`);
    lines.push(...outcome.shrunk.steps.map((step, index) => `    ${index + 1}. ${describeStep(step)}`));
    if (outcome.shrunk.result !== result) lines.push('  the shrunk list\'s violations:', ...formatViolations(outcome.shrunk.result.violations));
  }
  lines.push(`  logs and data: ${outcome.directory}`, `  replay (same action list, real timing): npm run chaos -- e2e --seed-start ${seed} --runs 1`);
  return lines.join('\n');
}
