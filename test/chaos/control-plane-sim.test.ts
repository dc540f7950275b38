import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/main.ts';
import {
  runControlPlaneSimCommand, runControlPlaneSimulation, scenarioArbitrary, scenarioForSeed, VirtualTime, type TimedAction,
} from '../../chaos/control-plane-sim/index.ts';

/** Seeds run by the batch property; each run is ~100 simulated seconds in well under a wall second. */
const batchRuns = 28;

describe('control-plane simulation', () => {
  it('one seed is one exact run: two runs share their trace and store hash', async () => {
    // Hand-made so that every kind of fault is surely in it, whatever the generator makes of seeds.
    const actions: TimedAction[] = [
      { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 3, image: 0 } },
      { afterMs: 0, action: { kind: 'apply-stateful-set', slot: 0, replicas: 2, image: 0 } },
      { afterMs: 0, action: { kind: 'apply-service', slot: 0, target: 0 } },
      { afterMs: 2_000, action: { kind: 'store-fault', mode: 'write-errors', percent: 50, latencyMs: 0, durationMs: 3_000 } },
      { afterMs: 0, action: { kind: 'store-fault', mode: 'lost-write-answers', percent: 30, latencyMs: 0, durationMs: 3_000 } },
      { afterMs: 1_000, action: { kind: 'roll-deployment', slot: 0, image: 1 } },
      { afterMs: 1_000, action: { kind: 'overlap-leaders', overlapMs: 3_000, lateWriteMs: 700 } },
      { afterMs: 500, action: { kind: 'kill-node', node: 1 } },
      { afterMs: 2_000, action: { kind: 'cut-watches' } },
      { afterMs: 3_000, action: { kind: 'change-leader', gapMs: 1_500 } },
      { afterMs: 4_000, action: { kind: 'revive-node', node: 1 } },
    ];
    const first = await runControlPlaneSimulation({ seed: 16, actions });
    const second = await runControlPlaneSimulation({ seed: 16, actions });
    expect(first.violations).toEqual([]);
    expect(second.traceHash).toBe(first.traceHash);
    expect(second.trace).toEqual(first.trace);
    expect(second.counters).toEqual(first.counters);
    expect(first.counters.storeFaults.refusedWrites).toBeGreaterThan(0);
    expect(first.counters.storeFaults.lostWriteAnswers).toBeGreaterThan(0);
    expect(first.counters.lateWrites.attempted).toBeGreaterThan(0);
    expect(first.counters.leaderTerms).toBe(3);
    // Another seed (other uids, delays, fault draws) is another run.
    const other = await runControlPlaneSimulation({ seed: 17, actions });
    expect(other.traceHash).not.toBe(first.traceHash);
  });

  it('a generated seed replays exactly too', async () => {
    const first = await runControlPlaneSimulation({ seed: 5 });
    const second = await runControlPlaneSimulation({ seed: 5 });
    expect(second.traceHash).toBe(first.traceHash);
    expect(second.actions).toEqual(first.actions);
  });

  it('after any action sequence, a heal and quiescence, the observed state matches the declared state', async () => {
    const seeds: number[] = [];
    await fc.assert(
      fc.asyncProperty(fc.noShrink(fc.integer({ min: 0, max: 2 ** 31 - 1 })), scenarioArbitrary(), async (seed, actions) => {
        seeds.push(seed);
        const result = await runControlPlaneSimulation({ seed, actions });
        if (!result.passed) throw new Error(`seed ${seed}: ${result.violations.map((violation) => `${violation.property}: ${violation.message}`).join('\n')}`);
      }),
      { seed: 20_250_101, numRuns: batchRuns, endOnFailure: true },
    );
    expect(seeds).toHaveLength(batchRuns);
  });

  it('a deposed leader still running writes late, and the compare-and-swap refuses its stale writes', async () => {
    const actions: TimedAction[] = [
      { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 3, image: 0 } },
      { afterMs: 0, action: { kind: 'apply-service', slot: 0, target: 0 } },
      { afterMs: 6_000, action: { kind: 'overlap-leaders', overlapMs: 4_000, lateWriteMs: 1_500 } },
      { afterMs: 0, action: { kind: 'roll-deployment', slot: 0, image: 1 } },
      { afterMs: 500, action: { kind: 'scale-deployment', slot: 0, replicas: 4 } },
      { afterMs: 6_000, action: { kind: 'apply-service', slot: 1, target: 0 } },
    ];
    const result = await runControlPlaneSimulation({ seed: 7, actions });
    expect(result.violations).toEqual([]);
    expect(result.counters.lateWrites.refused).toBeGreaterThan(0);
    expect(result.counters.leaderTerms).toBe(2);
  });

  it('cut watch streams, compaction and failing reads make the informers re-list, and the state still converges', async () => {
    const actions: TimedAction[] = [
      { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 2, image: 0 } },
      { afterMs: 0, action: { kind: 'apply-service', slot: 0, target: 0 } },
      { afterMs: 5_000, action: { kind: 'cut-watches' } },
      { afterMs: 0, action: { kind: 'roll-deployment', slot: 0, image: 2 } },
      { afterMs: 300, action: { kind: 'compact-store' } },
      { afterMs: 0, action: { kind: 'store-fault', mode: 'read-errors', percent: 60, latencyMs: 5, durationMs: 4_000 } },
      { afterMs: 0, action: { kind: 'cut-watches' } },
      { afterMs: 1_000, action: { kind: 'scale-deployment', slot: 0, replicas: 3 } },
    ];
    const result = await runControlPlaneSimulation({ seed: 9, actions });
    expect(result.violations).toEqual([]);
    expect(result.counters.storeFaults.cutWatches).toBeGreaterThan(0);
    expect(result.counters.storeFaults.failedReads).toBeGreaterThan(0);
    expect(result.counters.finalLeaderRelists).toBeGreaterThan(0);
  });

  it('a seed stands for one action list', () => {
    expect(scenarioForSeed(42)).toEqual(scenarioForSeed(42));
    expect(scenarioForSeed(42)).not.toEqual(scenarioForSeed(43));
  });

  it('the command prints the speed and "N passed, M failed", and replays one seed with its trace', async () => {
    const lines: string[] = [];
    expect(await runControlPlaneSimCommand({ seeds: 2, seedStart: 1, verbose: false }, (line) => lines.push(line))).toBe(0);
    expect(lines.at(-1)).toBe('2 passed, 0 failed');
    expect(lines.some((line) => /^speed: \d+ simulated seconds \(2 runs\) in [\d.]+ wall-seconds = \d+ simulated seconds per wall-second$/.test(line))).toBe(true);
    const replay: string[] = [];
    expect(await runControlPlaneSimCommand({ seeds: 1, seedStart: 1, seed: 1, verbose: false }, (line) => replay.push(line))).toBe(0);
    expect(replay[0]).toMatch(/^seed 1: passed after [\d.]+ simulated seconds/);
    expect(replay[0]).toContain('leader: term 1 starts its controllers');
  });
});

describe('flotilla sim control-plane', () => {
  it('reads its own --seeds and --seed-start (not those of `flotilla sim`), and refuses bad ones with exit 2', async () => {
    const printed: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      expect(await main(['node', 'flotilla', 'sim', 'control-plane', '--seeds', '1', '--seed-start', '3'])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(printed.join('')).toContain('speed: ');
    expect(printed.at(-1)).toBe('1 passed, 0 failed\n');
    const errors = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['node', 'flotilla', 'sim', 'control-plane', '--seeds', 'many'])).toBe(2);
    } finally {
      errors.mockRestore();
    }
  });
});

describe('virtual time', () => {
  it('runs timers in time order, ties in arming order, and skips cancelled ones', () => {
    const time = new VirtualTime();
    const fired: string[] = [];
    time.setTimeout(() => fired.push('b'), 20);
    time.setTimeout(() => fired.push('a'), 10);
    time.setTimeout(() => fired.push('c'), 20);
    time.setTimeout(() => fired.push('cancelled'), 15).cancel();
    const interval = time.setInterval(() => fired.push(`tick@${time.elapsedMs()}`), 12);
    while (time.runNext(30)) { /* every due timer */ }
    interval.cancel();
    expect(fired).toEqual(['a', 'tick@12', 'b', 'c', 'tick@24']);
    expect(time.elapsedMs()).toBe(30);
    expect(time.armedTimers).toBe(0);
  });
});
