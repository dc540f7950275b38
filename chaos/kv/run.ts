import fc from 'fast-check';
import { realClock, type Logger } from '../../common/index.ts';
import { ProcessCluster, waitForLeader } from '../cluster/index.ts';
import { checkLinearizability, kvModel } from '../linearizability/index.ts';
import { waitForConvergence, type MemberState } from './convergence.ts';
import { applyFault, describeFault, faultScheduleArbitrary, type TimedFault } from './faults.ts';
import { KvWorkload } from './workload.ts';

export interface KvChaosOptions {
  readonly seed: number;
  readonly size: 3 | 5;
  /** How long faults and client load run. */
  readonly runMs: number;
  readonly clients: number;
  readonly keys: number;
  /** Extra `flotilla server` flags (election timing, snapshot thresholds). */
  readonly serverArgs: readonly string[];
  readonly logger: Logger;
}

export interface KvChaosResult {
  readonly seed: number;
  readonly passed: boolean;
  readonly problems: readonly string[];
  readonly schedule: readonly string[];
  readonly operations: number;
  readonly acknowledged: number;
  readonly unknown: number;
  readonly states: readonly MemberState[];
  readonly logDirectory: string;
}

/** The fault schedule a seed stands for (fast-check's first sample for it, so it replays). */
export function scheduleForSeed(seed: number, runMs: number): TimedFault[] {
  return fc.sample(faultScheduleArbitrary(runMs), { seed, numRuns: 1 })[0] ?? [];
}

/**
 * One chaos run on real processes: start a cluster behind fault relays, run clients while the
 * seed's faults come and go, heal, then check the client history for linearizability (which
 * covers "no acknowledged write is lost": the final reads must see it) and that every replica
 * converged to the same revision and contents.
 */
export async function runKvChaos(options: KvChaosOptions): Promise<KvChaosResult> {
  const schedule = scheduleForSeed(options.seed, options.runMs);
  const cluster = await ProcessCluster.start({ size: options.size, extraArgs: options.serverArgs });
  const problems: string[] = [];
  const workload = new KvWorkload({
    endpoints: cluster.clientEndpoints(),
    clients: options.clients,
    keys: options.keys,
    seed: options.seed,
    callTimeoutMs: 2_000,
    thinkMs: 5,
  });
  let states: MemberState[] = [];
  try {
    await waitForLeader(cluster);
    workload.start();
    await playSchedule(cluster, schedule, options);
    await workload.stop();
    cluster.heal();
    await waitForLeader(cluster);
    await workload.finalReads();
    const convergence = await waitForConvergence(cluster, 30_000);
    states = convergence.states;
    if (!convergence.converged) problems.push(`replicas did not converge: ${JSON.stringify(states)}`);
    const check = checkLinearizability(kvModel, workload.recorder.history(), { maxStates: 2_000_000 });
    if (check.outcome === 'illegal') problems.push(`history is not linearizable:\n${check.explanation.text}`);
    if (check.outcome === 'unknown-timeout') problems.push(`linearizability check inconclusive (${check.exhaustedBy})`);
  } catch (error) {
    problems.push(`run failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  } finally {
    workload.close();
    // A failed run keeps its data dirs and logs for inspection.
    await cluster.stop({ keepFiles: problems.length > 0 });
  }
  const history = workload.recorder.history();
  return {
    seed: options.seed,
    passed: problems.length === 0,
    problems,
    schedule: schedule.map(describeFault),
    operations: history.length,
    acknowledged: workload.acknowledged,
    unknown: workload.failed,
    states,
    logDirectory: cluster.directory,
  };
}

async function playSchedule(cluster: ProcessCluster, schedule: readonly TimedFault[], options: KvChaosOptions): Promise<void> {
  const startedMs = realClock.nowMs();
  for (const timed of schedule) {
    await sleepUntil(startedMs + timed.atMs);
    options.logger.info({ fault: describeFault(timed) }, 'fault');
    const undo = await applyFault(cluster, timed.fault);
    await sleepUntil(startedMs + timed.atMs + timed.durationMs);
    await undo();
  }
  await sleepUntil(startedMs + options.runMs);
}

async function sleepUntil(atMs: number): Promise<void> {
  const delayMs = atMs - realClock.nowMs();
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
}
