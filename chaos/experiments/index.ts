/**
 * chaos/experiments/: declarative chaos experiments (`flotilla chaos run`, `flotilla chaos
 * report`): YAML files parsed with located problems, probes and pollers on a real cluster, faults
 * on a schedule, a 100 ms timeline, hypotheses judged on it, and self-contained HTML reports.
 * See README.md.
 */
export { runChaosRunCommand, runChaosReportCommand } from './command.ts';
export type { ChaosRunCommandOptions, ChaosReportCommandOptions } from './command.ts';
export { parseExperiment } from './parse/parse-experiment.ts';
export type { ParseResult } from './parse/parse-experiment.ts';
export { formatProblems } from './parse/problems.ts';
export type { ExperimentProblem } from './parse/problems.ts';
export { parseDuration, formatDuration } from './duration.ts';
export type * from './experiment.ts';
export { runExperiment, ExperimentMismatchError, SteadyStateError } from './run/run-experiment.ts';
export type { RunExperimentOptions, RunOutcome } from './run/run-experiment.ts';
export type { ExperimentCluster, ClusterControl, ServerEndpoint, ClusterComponent, LinkSetting } from './cluster/experiment-cluster.ts';
export { ObservationLog } from './timeline/observations.ts';
export type { ProbeAttempt, ReplicaReading, PodReading, FaultRecord } from './timeline/observations.ts';
export { sampleTimeline, timelineStepMs } from './timeline/sample-timeline.ts';
export type { TimelineInput } from './timeline/sample-timeline.ts';
export type { Timeline, Sample, FaultWindow, Outage, LeaderChange, TimelineProbe } from './timeline/timeline.ts';
export { evaluateHypotheses } from './evaluate/evaluate-hypotheses.ts';
export type { HypothesisResult, Verdict, WritesCheck } from './evaluate/evaluate-hypotheses.ts';
export { computeFigures } from './evaluate/figures.ts';
export type { RunFigures, ProbeFigures } from './evaluate/figures.ts';
export { renderRunReport } from './report/render-run-report.ts';
export { renderComparison, comparisonText } from './report/compare-runs.ts';
export type { LoadedRun } from './report/compare-runs.ts';
export { loadRun, writeRun } from './report/run-directory.ts';
export type { RunSummary } from './report/run-summary.ts';
