import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSimCommand } from '../../chaos/index.ts';
import { createRaftCore } from '../../chaos/sim/core-factory.ts';
import { encodeCommand } from '../../chaos/sim/kv-state-machine.ts';
import type { CoreFactory, SimCore } from '../../chaos/sim/core-port.ts';
import { runSimulation, type SimRunResult } from '../../chaos/sim/run.ts';
import { scheduleArbitrary, scheduleForSeed } from '../../chaos/sim/schedule.ts';
import { shrinkFailingSeed } from '../../chaos/sim/shrink.ts';
import { addStats, emptyStats, type SimStats } from '../../chaos/sim/stats.ts';
import type { Message, Ready } from '../../raft/index.ts';

const batchSteps = 400;

function runBatch(nodes: 3 | 5, seeds: number, firstSeed: number): { results: SimRunResult[]; total: SimStats } {
  const total = emptyStats();
  const results: SimRunResult[] = [];
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const result = runSimulation({ seed, nodes, steps: batchSteps, createCore: createRaftCore });
    addStats(total, result.stats);
    results.push(result);
  }
  return { results, total };
}

function failures(results: readonly SimRunResult[]): string[] {
  return results.filter((r) => !r.passed).map((r) => `seed ${r.seed} (${r.nodes} nodes): ${r.failure ?? ''}`);
}

describe('deterministic simulator', () => {
  it('replays a seed exactly: same trace hash, counters and verdicts', () => {
    const a = runSimulation({ seed: 4242, nodes: 5, steps: 300, createCore: createRaftCore, timeline: true });
    const b = runSimulation({ seed: 4242, nodes: 5, steps: 300, createCore: createRaftCore, timeline: true });
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.stats).toEqual(a.stats);
    expect(b.timeline).toEqual(a.timeline);
    const other = runSimulation({ seed: 4243, nodes: 5, steps: 300, createCore: createRaftCore });
    expect(other.traceHash).not.toBe(a.traceHash);
  });

  it('prints the same output for a replayed seed, apart from the wall-clock speed', async () => {
    const capture = async (): Promise<string[]> => {
      const lines: string[] = [];
      await runSimCommand({ seeds: 1, seedStart: 1, seed: 77, nodes: 3, steps: 200, verbose: false }, (line) => lines.push(line));
      return lines.filter((line) => !line.startsWith('speed:'));
    };
    const first = await capture();
    expect(await capture()).toEqual(first);
    expect(first[first.length - 1]).toMatch(/^1 passed, 0 failed$/);
  });

  it('the schedule of a seed is fast-check’s first example under that seed (so shrinking starts from the failing run)', () => {
    for (const seed of [1, 99, 123456]) {
      let first: unknown;
      fc.check(
        fc.property(scheduleArbitrary(5, 600), (schedule) => {
          first ??= schedule;
          return true;
        }),
        { seed, numRuns: 1 },
      );
      expect(first).toEqual(scheduleForSeed(seed, 5, 600));
    }
  });

  it('50 seeds of 3-node and 50 seeds of 5-node clusters pass, and every fault kind happens', () => {
    const three = runBatch(3, 50, 1000);
    const five = runBatch(5, 50, 2000);
    expect([...failures(three.results), ...failures(five.results)]).toEqual([]);
    const total = emptyStats();
    addStats(total, three.total);
    addStats(total, five.total);
    const mustHappen: (keyof SimStats)[] = [
      'messagesDropped', 'messagesDuplicated', 'messagesDelayed', 'messagesReordered', 'messagesBlockedByPartition',
      'partitions', 'oneWayPartitions', 'heals', 'crashes', 'crashesLosingUnsyncedWrites', 'leaderChurnCrashes', 'leaderChurnIsolations', 'restarts',
      'elections', 'commits', 'snapshotsTaken', 'snapshotsInstalled', 'snapshotChunksSent',
      'learnersAdded', 'learnersPromoted', 'votersRemoved', 'leadersRemoved', 'readds', 'transfers', 'transfersCompleted',
      'clientOpsAcknowledged', 'clientOpsUnknown', 'clientRetries', 'readsServed',
    ];
    for (const name of mustHappen) expect({ name, count: total[name] > 0 }).toEqual({ name, count: true });
    // Snapshots span several chunks, so chunking (and resuming) is exercised.
    expect(total.snapshotChunksSent).toBeGreaterThan(total.snapshotsInstalled);
  }, 120_000);
});

/** A core whose member n2 applies a corrupted entry: the whole-run checkers must notice. */
const corruptingFactory: CoreFactory = (config) => {
  const core = createRaftCore(config);
  if (config.id !== 'n2') return core;
  const corrupt = (ready: Ready): Ready => ({
    ...ready,
    committedEntries: ready.committedEntries.map((entry) =>
      entry.type === 'normal' && entry.index % 7 === 0
        ? { ...entry, data: encodeCommand({ t: 'put', c: 99, o: entry.index, k: 'k0', v: 'corrupted' }) }
        : entry,
    ),
  });
  const wrapped: SimCore = {
    id: core.id,
    tick: () => core.tick(),
    step: (message) => core.step(message),
    propose: (data) => core.propose(data),
    forwardProposal: (id, data) => core.forwardProposal(id, data),
    proposeMembershipChange: (change) => core.proposeMembershipChange(change),
    readIndex: (id) => core.readIndex(id),
    transferLeader: (to) => core.transferLeader(to),
    compact: (index, size) => core.compact(index, size),
    hasReady: () => core.hasReady(),
    ready: () => corrupt(core.ready()),
    advance: () => core.advance(),
    status: () => core.status(),
    checkInvariants: () => core.checkInvariants(),
  };
  return wrapped;
};

/**
 * A mutant of the voting rule (§5.4.1): every member judges each candidate's log as if it were
 * the most up to date there is, so it grants votes to stale logs. The core itself is untouched;
 * the lie is told at its door, in the requests it steps.
 */
const staleVoteFactory: CoreFactory = (config) => {
  const core = createRaftCore(config);
  const step = core.step.bind(core);
  return Object.assign(Object.create(core) as SimCore, {
    step: (message: Message) =>
      step(message.type === 'vote' || message.type === 'pre-vote' ? { ...message, lastLogTerm: Number.MAX_SAFE_INTEGER, lastLogIndex: Number.MAX_SAFE_INTEGER } : message),
  });
};

describe('the simulator bites when a rule of Raft is broken on purpose', () => {
  it('votes granted to stale logs: some seeds fail a safety check', () => {
    const failed = Array.from({ length: 40 }, (_, i) => runSimulation({ seed: 7000 + i, nodes: 5, steps: 400, createCore: staleVoteFactory })).filter((r) => !r.passed);
    expect(failed.length).toBeGreaterThan(0);
    for (const result of failed) {
      expect(result.failure).toMatch(/leader completeness|commit survives elections|committed entry changed|state machine safety|linearizability|convergence/);
    }
  }, 120_000);
});

describe('the simulator catches a misbehaving member and shrinks its schedule', () => {
  it('reports state machine safety and shrinks to a short schedule', () => {
    const result = runSimulation({ seed: 5, nodes: 3, steps: 150, createCore: corruptingFactory });
    expect(result.passed).toBe(false);
    expect(result.failure).toMatch(/state machine safety|linearizability|convergence/);
    const shrunk = shrinkFailingSeed(5, 3, 150, corruptingFactory);
    expect(shrunk).not.toBeNull();
    expect(shrunk?.schedule.faults.length ?? Infinity).toBeLessThanOrEqual(result.schedule.faults.length);
  }, 120_000);
});
