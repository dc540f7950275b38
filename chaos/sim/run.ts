import { createPrng } from '../../common/index.ts';
import { SimViolation } from './checkers.ts';
import { SimClients } from './client.ts';
import { SimCluster } from './cluster.ts';
import { convergenceQuietTicks, livenessBoundTicks, simRaftOptions, tickUs } from './config.ts';
import type { CoreFactory } from './core-port.ts';
import { FaultInjector } from './faults.ts';
import { checkClientHistory, type HistoryVerdict } from './history-check.ts';
import { scheduleForSeed, slotCount, type Schedule } from './schedule.ts';
import type { SimStats } from './stats.ts';
import { Timeline } from './timeline.ts';
import { checkConvergence, checkLiveness } from './final-checks.ts';

export interface SimRunOptions {
  readonly seed: number;
  readonly nodes: 3 | 5;
  /** Nominal ticks of the fault phase (one tick = 100 simulated ms). */
  readonly steps: number;
  /** Overrides the seed's schedule (fast-check shrinking replays candidates through here). */
  readonly schedule?: Schedule;
  readonly createCore: CoreFactory;
  /** Keep a timeline of notable events for the summary. */
  readonly timeline?: boolean;
}

export interface SimRunResult {
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly schedule: Schedule;
  readonly passed: boolean;
  readonly failure: string | null;
  readonly failureAtUs: number | null;
  readonly stats: SimStats;
  readonly commits: number;
  readonly traceHash: string;
  readonly simulatedUs: number;
  readonly history: HistoryVerdict | null;
  readonly timeline: readonly string[];
}

/**
 * One seeded run: a cluster of real `RaftCore`s under the seed's fault schedule and a client
 * workload, the safety checkers after every event, then a final heal with liveness,
 * convergence and linearizability checks. Everything derives from the seed; nothing reads time.
 */
export function runSimulation(options: SimRunOptions): SimRunResult {
  const schedule = options.schedule ?? scheduleForSeed(options.seed, options.nodes, options.steps);
  const prng = createPrng(options.seed);
  const cluster = new SimCluster({
    nodes: options.nodes,
    slots: slotCount(options.nodes),
    driftPercent: schedule.driftPercent,
    options: simRaftOptions(schedule),
    prng,
    createCore: options.createCore,
    onNewLeader: (node, term) => {
      timeline.add(`${node} leads term ${term}`);
      injector.onNewLeader(node);
    },
    onLeaderCommitIndex: (node, term, commitIndex) => injector.onLeaderCommitIndex(node, term, commitIndex),
  });
  const timeline = new Timeline(cluster.queue, options.timeline ?? false);
  const initialVoters = cluster.nodes.slice(0, options.nodes).map((node) => node.id);
  const injector = new FaultInjector(cluster, timeline, options.nodes === 5 ? 3 : 2, initialVoters);
  const clients = new SimClients(cluster, prng.fork());
  let failure: string | null = null;
  let history: HistoryVerdict | null = null;
  try {
    for (const node of cluster.nodes.slice(0, options.nodes)) cluster.start(node);
    injector.schedule(schedule.faults);
    clients.start();
    runFaultPhase(cluster, injector, options.steps);
    clients.stop();
    finalHeal(cluster, injector, timeline);
    checkLiveness(cluster, timeline, livenessBoundTicks);
    cluster.runUntil(cluster.queue.nowUs + convergenceQuietTicks * tickUs);
    checkConvergence(cluster, clients.maxAcknowledgedIndex, livenessBoundTicks);
    history = checkClientHistory(clients.history());
    if (history.outcome === 'illegal') failure = `linearizability: ${history.explanation}`;
  } catch (error) {
    failure = describeError(error);
  }
  cluster.stats.elections = cluster.checker.elections;
  cluster.stats.maxTerm = cluster.checker.maxTerm;
  cluster.stats.commits = cluster.checker.committedIndex;
  if (failure !== null) timeline.add(`FAILED: ${failure}`);
  return {
    seed: options.seed,
    nodes: options.nodes,
    steps: options.steps,
    schedule,
    passed: failure === null,
    failure,
    failureAtUs: failure === null ? null : cluster.queue.nowUs,
    stats: cluster.stats,
    commits: cluster.checker.committedIndex,
    traceHash: cluster.trace.hex(),
    simulatedUs: cluster.queue.nowUs,
    history,
    timeline: timeline.lines(),
  };
}

/** Runs the scheduled faults and the workload, tick by nominal tick. */
function runFaultPhase(cluster: SimCluster, injector: FaultInjector, steps: number): void {
  for (let tick = 1; tick <= steps; tick++) {
    cluster.runUntil(tick * tickUs);
    injector.observeTransfer();
  }
}

/** Every link open, every fault window closed, every crashed machine back up. */
function finalHeal(cluster: SimCluster, injector: FaultInjector, timeline: Timeline): void {
  cluster.network.healAll();
  injector.endChurn();
  for (const node of cluster.nodes) injector.restart(node);
  timeline.add('final heal: network healed, crashed members restarted');
}

function describeError(error: unknown): string {
  if (error instanceof SimViolation) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
