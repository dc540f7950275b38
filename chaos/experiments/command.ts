import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pino } from 'pino';
import { realEnv, type Env } from '../../common/index.ts';
import { ClusterUnavailableError } from './cluster/open-cluster.ts';
import { formatDuration } from './duration.ts';
import type { Experiment } from './experiment.ts';
import { parseExperiment } from './parse/parse-experiment.ts';
import { formatProblems } from './parse/problems.ts';
import { comparisonText, renderComparison, type LoadedRun } from './report/compare-runs.ts';
import { renderRunReport } from './report/render-run-report.ts';
import { loadRun, RunDirectoryError, runFiles, writeRun } from './report/run-directory.ts';
import type { RunSummary } from './report/run-summary.ts';
import { ExperimentMismatchError, runExperiment, SteadyStateError, type RunOutcome } from './run/run-experiment.ts';

export interface ChaosRunCommandOptions {
  readonly file: string;
  /** `--cluster DIR`: run against the cluster `flotilla up` runs there, whatever the file says. */
  readonly clusterDirectory?: string;
  /** `--out DIR`: the run directory (default `chaos-runs/<name>-<time>`). */
  readonly outDirectory?: string;
  readonly env?: Env;
  readonly signal?: AbortSignal;
}

/** `flotilla chaos run FILE`: 0 when every hypothesis passed, 1 when one did not (or the run failed), 2 for a wrong file. */
export async function runChaosRunCommand(options: ChaosRunCommandOptions, print: (line: string) => void): Promise<number> {
  const loaded = await loadExperiment(options.file, print);
  if (loaded === null) return 2;
  const experiment: Experiment = options.clusterDirectory === undefined ? loaded : { ...loaded, cluster: { kind: 'local', directory: options.clusterDirectory } };
  const env = options.env ?? realEnv();
  const runDirectory = resolve(options.outDirectory ?? join('chaos-runs', `${experiment.name}-${timestamp(env.clock.nowMs())}`));
  await mkdir(runDirectory, { recursive: true });
  await copyFile(options.file, join(runDirectory, runFiles.experiment));
  const logger = pino({ name: 'chaos', level: process.env['FLOTILLA_LOG_LEVEL'] ?? 'info' }, pino.destination({ dest: join(runDirectory, runFiles.log), sync: true }));
  print(`run directory: ${runDirectory}`);
  let outcome: RunOutcome;
  try {
    outcome = await runExperiment({ experiment, runDirectory, env, logger, print, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  } catch (error) {
    if (error instanceof ExperimentMismatchError) {
      print(formatProblems(options.file, error.problems.map((message) => ({ path: '', line: null, column: null, message }))));
      return 2;
    }
    if (error instanceof ClusterUnavailableError) {
      print(`${options.file}: ${error.message}`);
      return 2;
    }
    if (error instanceof SteadyStateError) {
      print(error.message);
      return 1;
    }
    throw error;
  }
  const summary = summarize(experiment, options.file, outcome);
  await writeRun(runDirectory, { timeline: outcome.timeline, summary, report: renderRunReport(summary, outcome.timeline) });
  for (const line of summaryLines(summary)) print(line);
  print(`report: ${join(runDirectory, runFiles.report)}`);
  return outcome.passed && !outcome.interrupted ? 0 : 1;
}

export interface ChaosReportCommandOptions {
  readonly runDirectories: readonly string[];
  /** The comparison page (default `chaos-comparison.html` in the working directory). */
  readonly outFile?: string;
}

/** `flotilla chaos report RUN_DIR...`: the text table on stdout and one HTML page; 2 when a directory is not a run. */
export async function runChaosReportCommand(options: ChaosReportCommandOptions, print: (line: string) => void): Promise<number> {
  const runs: LoadedRun[] = [];
  for (const directory of options.runDirectories) {
    try {
      runs.push(await loadRun(resolve(directory)));
    } catch (error) {
      if (error instanceof RunDirectoryError) {
        print(error.message);
        return 2;
      }
      throw error;
    }
  }
  const outFile = resolve(options.outFile ?? 'chaos-comparison.html');
  await mkdir(dirname(outFile), { recursive: true });
  await writeFile(outFile, renderComparison(runs));
  print(comparisonText(runs));
  print(`comparison: ${outFile}`);
  return 0;
}

async function loadExperiment(file: string, print: (line: string) => void): Promise<Experiment | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    print(`${file}: cannot read the experiment file (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
  const parsed = parseExperiment(text, (path) => {
    try {
      return readFileSync(resolve(dirname(file), path), 'utf8');
    } catch {
      return null;
    }
  });
  if (!parsed.ok) {
    print(formatProblems(file, parsed.problems));
    return null;
  }
  return parsed.experiment;
}

function summarize(experiment: Experiment, file: string, outcome: RunOutcome): RunSummary {
  return {
    version: 1,
    experiment: { name: experiment.name, description: experiment.description, file: basename(file) },
    cluster: outcome.clusterDescription,
    serverFlags: experiment.cluster.kind === 'start' ? experiment.cluster.serverFlags : [],
    startedAt: outcome.timeline.startedAt,
    durationMs: outcome.timeline.durationMs,
    interrupted: outcome.interrupted,
    verdict: outcome.passed && !outcome.interrupted ? 'passed' : 'failed',
    hypotheses: outcome.results,
    figures: outcome.figures,
  };
}

function summaryLines(summary: RunSummary): string[] {
  const lines = summary.hypotheses.map((result) => `${result.verdict.toUpperCase().padEnd(12)} ${result.statement}: ${result.measured}`);
  const failover = summary.figures.failoversMissing > 0 ? 'no new leader' : summary.figures.failoverMs === null ? 'no leader lost' : formatDuration(summary.figures.failoverMs);
  const probes = Object.entries(summary.figures.probes).map(([name, figure]) => `${name} unavailable ${figure.longestOutageMs === null ? 'throughout' : formatDuration(figure.longestOutageMs)}, max latency ${figure.maxLatencyMs === null ? '—' : formatDuration(figure.maxLatencyMs)}`);
  const passed = summary.hypotheses.filter((result) => result.verdict === 'passed').length;
  return [...lines, `failover ${failover}; ${summary.figures.leaderChanges} leader change(s); ${probes.join('; ')}`, `${passed} passed, ${summary.hypotheses.length - passed} failed`];
}

/** `20250101-120000`: sortable, and safe in a directory name. */
function timestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
