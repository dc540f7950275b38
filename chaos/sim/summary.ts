import { tickUs } from './config.ts';
import { createRaftCore } from './core-factory.ts';
import { runSimulation, type SimRunResult } from './run.ts';
import { describeFault, type Schedule } from './schedule.ts';
import type { SimStats } from './stats.ts';

function seconds(us: number): string {
  return `${(us / 1_000_000).toFixed(1)}s`;
}

/** The schedule as lines; faults due after `untilUs` (when the run failed) never ran and are left out. */
export function describeSchedule(schedule: Schedule, untilUs = Number.POSITIVE_INFINITY): string[] {
  const drift = schedule.driftPercent.map((percent, slot) => `n${slot + 1} ${percent >= 0 ? '+' : ''}${percent}%`).join(', ');
  return [
    `pre-vote ${schedule.preVote ? 'on' : 'off'}, check-quorum ${schedule.checkQuorum ? 'on' : 'off'}; clock drift: ${drift}`,
    ...schedule.faults
      .filter((fault) => fault.atTick * tickUs + fault.offsetUs <= untilUs)
      .sort((a, b) => a.atTick - b.atTick || a.offsetUs - b.offsetUs)
      .map((fault) => `  ${describeFault(fault)}`),
  ];
}

/** The run's counters as a few readable lines. */
export function describeStats(stats: SimStats): string[] {
  return [
    `elections ${stats.elections} (max term ${stats.maxTerm}); commits ${stats.commits} entries; ` +
      `client ops ${stats.clientOps} (${stats.clientOpsAcknowledged} acknowledged, ${stats.clientOpsUnknown} unknown outcome, ${stats.clientRetries} retries, ${stats.proposalsForwarded} forwarded to the leader, ${stats.readsServed} linearizable reads)`,
    `faults injected ${stats.faultsInjected}: ${stats.partitions} partitions, ${stats.oneWayPartitions} one-way partitions, ${stats.heals} heals, ` +
      `${stats.crashes} crashes (${stats.crashesLosingUnsyncedWrites} lost unsynced writes, ${stats.leaderChurnCrashes} fresh leaders crashed), ${stats.leaderChurnIsolations} fresh leaders cut off, ${stats.restarts} restarts; messages: ` +
      `${stats.messagesDelivered} delivered, ${stats.messagesDropped} dropped, ${stats.messagesDuplicated} duplicated, ${stats.messagesDelayed} delayed, ` +
      `${stats.messagesReordered} jittered, ${stats.messagesBlockedByPartition} cut by partitions`,
    `snapshots ${stats.snapshotsTaken} taken, ${stats.snapshotsInstalled} installed (${stats.snapshotChunksSent} chunks sent); ` +
      `membership changes ${stats.membershipChanges} (${stats.learnersAdded} learners added, ${stats.learnersPromoted} promoted, ` +
      `${stats.votersRemoved} voters removed incl. ${stats.leadersRemoved} leaders, ${stats.readds} re-adds); ` +
      `leader transfers ${stats.transfers} (${stats.transfersCompleted} completed)`,
  ];
}

/** A readable account of one finished run: setup, timeline, verdicts, counters. */
export function formatRunSummary(result: SimRunResult): string {
  const history = result.history;
  const verdict =
    history === null ? 'not checked (the run failed first)'
    : history.outcome === 'ok' ? `linearizable (${history.operations} operations)`
    : history.outcome === 'inconclusive' ? `inconclusive: search budget spent (${history.operations} operations)`
    : 'NOT linearizable';
  return [
    `seed ${result.seed}: ${result.nodes}-node cluster (+1 spare machine), ${result.steps} ticks of faults then a final heal ` +
      `(1 tick = ${tickUs / 1000} simulated ms; ${seconds(result.simulatedUs)} simulated)`,
    ...describeSchedule(result.schedule).slice(0, 1),
    'timeline:',
    ...result.timeline,
    ...describeStats(result.stats),
    `client history: ${verdict}`,
    `trace hash ${result.traceHash}`,
    result.passed ? `seed ${result.seed} passed` : `seed ${result.seed} FAILED at ${seconds(result.failureAtUs ?? 0)}: ${result.failure ?? ''}`,
  ].join('\n');
}

/** Runs one seed and describes it (what the README's first command prints). */
export function summarizeSimulation(seed: number, nodes: 3 | 5, steps: number): string {
  return formatRunSummary(runSimulation({ seed, nodes, steps, createCore: createRaftCore, timeline: true }));
}
