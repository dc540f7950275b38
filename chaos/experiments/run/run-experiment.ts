import type { Env, Logger } from '../../../common/index.ts';
import { KvWorkload } from '../../kv/workload.ts';
import { checkAgainstCluster } from '../cluster/check-against-cluster.ts';
import type { ExperimentCluster } from '../cluster/experiment-cluster.ts';
import { openCluster } from '../cluster/open-cluster.ts';
import { evaluateHypotheses, type HypothesisResult, type WritesCheck } from '../evaluate/evaluate-hypotheses.ts';
import { computeFigures, type RunFigures } from '../evaluate/figures.ts';
import type { Experiment } from '../experiment.ts';
import { FaultPlayer } from '../faults/fault-player.ts';
import { ObservationLog } from '../timeline/observations.ts';
import { sampleTimeline, timelineStepMs } from '../timeline/sample-timeline.ts';
import type { Timeline } from '../timeline/timeline.ts';
import { applySetup } from './apply-setup.ts';
import { currentLeaderOf } from './current-leader.ts';
import { startObservers } from './observers.ts';
import { sleep, sleepUntil } from './sleep.ts';
import { waitForSteadyState } from './steady-state.ts';
import { checkWrites } from './writes-check.ts';

/** Pause between one workload client's operations: enough history to check, little load on a small machine. */
const workloadThinkMs = 20;

export interface RunExperimentOptions {
  readonly experiment: Experiment;
  /** Where the experiment's own cluster keeps its data and logs. */
  readonly runDirectory: string;
  readonly env: Env;
  readonly logger: Logger;
  /** Progress lines for the person running it. */
  readonly print: (line: string) => void;
  /** Ends the run early (Ctrl-C): faults are healed and what was observed is still reported. */
  readonly signal?: AbortSignal;
}

export interface RunOutcome {
  readonly timeline: Timeline;
  readonly results: readonly HypothesisResult[];
  readonly figures: RunFigures;
  readonly writes: WritesCheck | null;
  readonly clusterDescription: string;
  /** Every hypothesis passed. */
  readonly passed: boolean;
  /** The run was cut short by the signal. */
  readonly interrupted: boolean;
}

/** A problem with the experiment against this cluster (unknown names…): the caller exits 2. */
export class ExperimentMismatchError extends Error {
  override readonly name = 'ExperimentMismatchError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

export { SteadyStateError } from './steady-state-error.ts';

/**
 * One experiment: open (or start) the cluster, apply the setup, start the probes and pollers,
 * wait for the steady state, play the faults for the duration, heal, check the writes, and
 * judge the hypotheses on the timeline.
 */
export async function runExperiment(options: RunExperimentOptions): Promise<RunOutcome> {
  const { experiment, print } = options;
  print(`cluster: ${describeSpec(experiment)}`);
  const cluster = await openCluster(experiment.cluster, options.runDirectory, options.env, print);
  try {
    const problems = checkAgainstCluster(experiment, cluster);
    if (problems.length > 0) throw new ExperimentMismatchError(problems);
    if (experiment.setup.length > 0 && cluster.kubeconfigPath !== null) await applySetup(experiment.setup, cluster.kubeconfigPath, print);
    return await observeExperiment(options, cluster);
  } finally {
    await cluster.close();
  }
}

async function observeExperiment(options: RunExperimentOptions, cluster: ExperimentCluster): Promise<RunOutcome> {
  const { experiment, env, logger, print } = options;
  const log = new ObservationLog(env.clock);
  const observers = await startObservers(experiment, cluster, log, env);
  const workload = experiment.workload === null ? null : new KvWorkload({ endpoints: cluster.servers.map((server) => server.clientEndpoint), clients: experiment.workload.clients, keys: experiment.workload.keys, seed: env.prng.nextInt(1, 2 ** 31), callTimeoutMs: 2_000, thinkMs: workloadThinkMs });
  const player = new FaultPlayer(cluster, () => observers.status.latest(), env, logger);
  let zeroMs = env.clock.nowMs();
  let interrupted = false;
  try {
    workload?.start();
    print(`waiting for the steady state (every probe answering, at most ${experiment.steadyStateTimeoutMs} ms)`);
    await waitForSteadyState(observers, experiment, env, options.signal);
    zeroMs = env.clock.nowMs();
    print(`t = 0: ${experiment.faults.length} fault(s) over ${experiment.durationMs} ms`);
    const stop = new AbortController();
    const abort = (): void => stop.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    const playing = player.play(experiment.faults, zeroMs, stop.signal);
    await sleepUntil(env, zeroMs + experiment.durationMs, stop.signal);
    interrupted = options.signal?.aborted === true;
    stop.abort();
    await playing;
    options.signal?.removeEventListener('abort', abort);
  } finally {
    await observers.stop();
    await player.healAll();
  }
  const writes = workload === null ? null : await checkWritesAfterHeal(workload, cluster, env, print);
  workload?.close();
  const durationMs = Math.min(experiment.durationMs, env.clock.nowMs() - zeroMs);
  const timeline = sampleTimeline({
    experiment: { name: experiment.name, description: experiment.description },
    startedAtMs: zeroMs,
    durationMs: interrupted ? durationMs : experiment.durationMs,
    stepMs: timelineStepMs,
    replicas: cluster.servers.map((server) => server.name),
    probes: observers.timelineProbes,
    attempts: log.attempts,
    readings: log.readings,
    pods: log.pods,
    faults: player.records(),
    droppedObservations: log.dropped,
  });
  const results = evaluateHypotheses(experiment.hypotheses, timeline, writes);
  return { timeline, results, figures: computeFigures(timeline), writes, clusterDescription: cluster.description, passed: results.every((result) => result.verdict === 'passed'), interrupted };
}

/** How long after the heal the workload's final reads wait for a leader. */
const leaderAfterHealWaitMs = 15_000;

async function checkWritesAfterHeal(workload: KvWorkload, cluster: ExperimentCluster, env: Env, print: (line: string) => void): Promise<WritesCheck> {
  print('checking the workload\'s history (final reads, linearizability, replicas identical)');
  // Final reads against a cluster still electing would just be unknown outcomes: wait a little.
  const deadline = env.clock.nowMs() + leaderAfterHealWaitMs;
  while (env.clock.nowMs() < deadline && (await currentLeaderOf(cluster.servers)) === null) await sleep(env, 100);
  return await checkWrites(workload, cluster);
}

function describeSpec(experiment: Experiment): string {
  const spec = experiment.cluster;
  if (spec.kind === 'start') return `starting ${spec.servers} servers${spec.agents > 0 ? ` and ${spec.agents} agents` : ''}${spec.serverFlags.length > 0 ? ` (${spec.serverFlags.join(' ')})` : ''}`;
  if (spec.kind === 'local') return `the cluster in ${spec.directory}`;
  return `remote ${spec.etcdEndpoints.join(', ')}`;
}
