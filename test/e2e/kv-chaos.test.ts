import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/index.ts';
import { formatResult, runKvChaos } from '../../chaos/kv/index.ts';

/**
 * Chaos on real processes: 3 `flotilla server` replicas behind fault relays, clients doing puts,
 * linearizable gets and compare-and-swaps through the etcd3 client while a seeded schedule kills,
 * pauses, isolates and partitions members. Each run checks the history for linearizability (with
 * a final read of every key, so a lost acknowledged write fails it) and that all replicas end with
 * the same revision and HashKV. `npm run chaos -- kv --runs N` runs more seeds.
 */
const seeds = Array.from({ length: 20 }, (_, i) => i + 1);

describe('KV chaos on real server processes', () => {
  it.each(seeds)('seed %i: linearizable, nothing acknowledged lost, replicas converge', async (seed) => {
    const result = await runKvChaos({ seed, size: 3, runMs: 5_000, clients: 6, keys: 4, serverArgs: [], logger: silentLogger });
    expect(result.problems, formatResult(result)).toEqual([]);
    expect(result.acknowledged).toBeGreaterThan(0);
    expect(result.states).toHaveLength(3);
  }, 120_000);
});
