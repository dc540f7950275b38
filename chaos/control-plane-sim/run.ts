import { defaultControllerFactories, type ControllerFactory } from '../../control-plane/index.ts';
import { performAction } from './actions.ts';
import { checkFinalState } from './checks/final-checks.ts';
import { readObservedState } from './checks/observed-state.ts';
import { violationsKeptMax, type Violation } from './checks/violation.ts';
import { SimulatedCluster } from './cluster.ts';
import type { FaultyObjectStore, StoreFaultCounters } from './faulty-object-store.ts';
import type { LateWriteCounters } from './leader-store.ts';
import { scenarioForSeed, ScenarioLimits, type TimedAction } from './scenario.ts';
import type { DeletionHandling } from './simulated-node.ts';

/** Virtual time of a run's phases. */
export const RunTimings = {
  /** Before the first action: nodes registered, the first leader's informers synced. */
  warmUpMs: 3_000,
  /**
   * After the heal: long enough for the slowest recovery path — a key dropped by the work queue
   * after its retries waits for the 30 s resync, informers back off up to 5 s before re-listing,
   * eviction takes up to 6.5 s, then pods are recreated, scheduled and started.
   */
  quiescenceMs: 75_000,
  /** How long the final stop of the controllers may take (ControllerManager's own limit is 2 s). */
  stopTimeoutMs: 5_000,
} as const;

export interface ControlPlaneSimOptions {
  readonly seed: number;
  /** The action list (default: the one the seed stands for). */
  readonly actions?: readonly TimedAction[];
  /** The controllers each new leader runs (default: defaultControllerFactories(), fresh per leader). */
  readonly factories?: () => readonly ControllerFactory[];
  readonly deletionHandling?: DeletionHandling;
  readonly quiescenceMs?: number;
}

export interface ControlPlaneSimCounters {
  readonly timerSteps: number;
  readonly storeRevision: number;
  readonly leaderTerms: number;
  readonly lateWrites: LateWriteCounters;
  readonly storeFaults: StoreFaultCounters;
  readonly nodeErrors: number;
  readonly containersRunning: number;
  /** Re-lists by the final leader's informers (after cut watch streams, compaction, read faults). */
  readonly finalLeaderRelists: number;
}

export interface ControlPlaneSimResult {
  readonly seed: number;
  readonly passed: boolean;
  readonly violations: readonly Violation[];
  readonly actions: readonly TimedAction[];
  /** Hash of the whole trace and the store's final content: equal for two runs of one seed. */
  readonly traceHash: string;
  readonly trace: readonly string[];
  readonly traceLineCount: number;
  readonly simulatedMs: number;
  readonly counters: ControlPlaneSimCounters;
}

/**
 * One seed, one exact run: the real ControllerManager (every default controller and the
 * scheduler) on the real MvccStore in memory, virtual time, simulated nodes, the action list with
 * its faults, then a heal, a quiescence period, and the checks of the final state.
 */
export async function runControlPlaneSimulation(options: ControlPlaneSimOptions): Promise<ControlPlaneSimResult> {
  const actions = options.actions ?? scenarioForSeed(options.seed);
  const factories = options.factories ?? (() => defaultControllerFactories());
  const cluster = await SimulatedCluster.create({ seed: options.seed, nodeCount: ScenarioLimits.nodes, factories, deletionHandling: options.deletionHandling ?? 'stops-then-confirms' });
  const { driver, leadership, trace } = cluster;
  const violations: Violation[] = [];
  let finalLeaderRelists = 0;
  try {
    leadership.elect();
    await driver.runFor(RunTimings.warmUpMs);
    for (const timed of actions) {
      await driver.runFor(timed.afterMs);
      performAction(cluster, timed.action);
    }
    cluster.faults.clear();
    leadership.heal();
    trace.add('heal: store faults end, overlapping leaders stop, one leader runs');
    await driver.runFor(options.quiescenceMs ?? RunTimings.quiescenceMs);
    const state = await readObservedState(cluster.observer, {
      liveNodes: cluster.liveNodeNames(), containers: cluster.ledger.all(), controllers: new Set(leadership.currentManager?.controllers.map((controller) => controller.name) ?? []), declared: cluster.declared.all(),
    });
    violations.push(...cluster.ledger.violations, ...checkFinalState(state));
    finalLeaderRelists = (leadership.currentManager?.informers?.all() ?? []).reduce((total, informer) => total + informer.relists, 0);
  } catch (error) {
    violations.push({ property: 'simulation-error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  }
  const simulatedMs = cluster.time.elapsedMs();
  await stopEverything(cluster);
  violations.push(...cluster.work.errors);
  for (const violation of violations.slice(0, violationsKeptMax)) trace.add(`violation: ${violation.property}: ${violation.message}`);
  const storeHash = await cluster.memory.store.hashKv();
  const result: ControlPlaneSimResult = {
    seed: options.seed, passed: violations.length === 0, violations: violations.slice(0, violationsKeptMax), actions,
    traceHash: trace.digest(`store hash ${storeHash.hash} at revision ${storeHash.revision}`), trace: trace.lines, traceLineCount: trace.lineCount,
    simulatedMs, counters: { ...countersOf(cluster, cluster.faultyStore), finalLeaderRelists },
  };
  await cluster.memory.close();
  return result;
}

async function stopEverything(cluster: SimulatedCluster): Promise<void> {
  for (const node of cluster.nodes) node.kill();
  const stopped = await cluster.driver.runUntil(cluster.leadership.stopAll(), RunTimings.stopTimeoutMs);
  if (!stopped) cluster.work.errors.push({ property: 'simulation-error', message: 'the controllers did not stop' });
}

function countersOf(cluster: SimulatedCluster, faultyStore: FaultyObjectStore): Omit<ControlPlaneSimCounters, 'finalLeaderRelists'> {
  return {
    timerSteps: cluster.driver.timerSteps,
    storeRevision: cluster.memory.store.revision,
    leaderTerms: cluster.leadership.term,
    lateWrites: cluster.leadership.lateWrites(),
    storeFaults: { ...faultyStore.counters },
    nodeErrors: cluster.nodes.reduce((total, node) => total + node.errors, 0),
    containersRunning: cluster.ledger.all().length,
  };
}
