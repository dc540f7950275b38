import { describe, expect, it } from 'vitest';
import { createPrng } from '../../common/index.ts';
import { checkLinearizability, generateLinearizableKvHistory, kvModel, UNKNOWN } from '../../chaos/linearizability/index.ts';

const OPERATIONS = 2000;
/**
 * Speed is a benchmark figure, never a timed assertion; what is asserted is the deterministic size
 * of the search (explored states), which is what keeps a check fast on any machine.
 */
const EXPLORED_STATES_MAX = 100_000;
const SEEDS = [1, 2, 3, 4, 5];

describe('linearizability: speed', () => {
  it(`checks ${OPERATIONS} ops over 10 keys from 10 clients exploring a bounded number of states`, () => {
    for (const seed of SEEDS) {
      const history = generateLinearizableKvHistory(createPrng(seed), {
        operations: OPERATIONS, keys: 10, clients: 10, maxLatencyMs: 30, unknownChance: 0.05,
      });
      const started = performance.now();
      const ok = checkLinearizability(kvModel, history);
      const okMs = performance.now() - started;
      expect(ok.outcome).toBe('ok');

      // The same history with one late read made stale must be rejected just as quickly.
      const victim = history.findLastIndex((op) => op.input.kind === 'get' && op.output !== UNKNOWN);
      const bad = history.map((op, i) => (i === victim ? { ...op, output: { kind: 'get' as const, value: 'stale' } } : op));
      const badStarted = performance.now();
      const illegal = checkLinearizability(kvModel, bad);
      const illegalMs = performance.now() - badStarted;
      expect(illegal.outcome).toBe('illegal');

      console.log(
        `seed ${seed}: ok in ${okMs.toFixed(1)} ms (${ok.exploredStates} states), ` +
          `illegal in ${illegalMs.toFixed(1)} ms (${illegal.exploredStates} states)`,
      );
      expect(ok.exploredStates).toBeLessThan(EXPLORED_STATES_MAX);
      expect(illegal.exploredStates).toBeLessThan(EXPLORED_STATES_MAX);
    }
  });

  it('checks a 2000-op single register from 10 clients (no partitioning to help)', () => {
    const history = generateLinearizableKvHistory(createPrng(42), {
      operations: OPERATIONS, keys: 1, clients: 10, maxLatencyMs: 30, unknownChance: 0.02, valuePool: 5,
    });
    const started = performance.now();
    const result = checkLinearizability(kvModel, history);
    const ms = performance.now() - started;
    console.log(`single key: ${result.outcome} in ${ms.toFixed(1)} ms (${result.exploredStates} states)`);
    expect(result.outcome).toBe('ok');
    expect(result.exploredStates).toBeLessThan(EXPLORED_STATES_MAX);
  });
});
