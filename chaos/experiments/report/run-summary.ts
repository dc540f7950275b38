import type { HypothesisResult } from '../evaluate/evaluate-hypotheses.ts';
import type { RunFigures } from '../evaluate/figures.ts';

/** `summary.json` of a run directory: what `flotilla chaos report` compares. */
export interface RunSummary {
  readonly version: 1;
  readonly experiment: { readonly name: string; readonly description: string; readonly file: string };
  readonly cluster: string;
  /** The server flags the experiment started its cluster with (empty: defaults, or not started by it). */
  readonly serverFlags: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly interrupted: boolean;
  readonly verdict: 'passed' | 'failed';
  readonly hypotheses: readonly HypothesisResult[];
  readonly figures: RunFigures;
}
