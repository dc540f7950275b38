/**
 * Linearizable-by-construction KV histories, for tests and benchmarks of the checker: a real
 * atomic map applies each operation at a chosen instant, and the client-visible interval is drawn
 * around that instant. Clients are sequential, as real ones are.
 */
import type { Prng } from '../../common/index.ts';
import { UNKNOWN } from './history.ts';
import type { KvInput, KvOperation, KvOutput } from './kv-model.ts';

export interface SyntheticKvOptions {
  readonly operations: number;
  readonly keys: number;
  readonly clients: number;
  /** How far a call may precede, and a return follow, the instant the operation takes effect. */
  readonly maxLatencyMs: number;
  /** Chance an operation's client times out (its outcome is unknown; half of those never apply). */
  readonly unknownChance: number;
  /** Values drawn from this many; undefined means every write is unique. */
  readonly valuePool?: number;
}

export function generateLinearizableKvHistory(prng: Prng, options: SyntheticKvOptions): KvOperation[] {
  const store = new Map<string, string>();
  const written: string[] = [];
  const freeAtMs = new Array<number>(options.clients).fill(0);
  const history: KvOperation[] = [];
  let nowMs = 0;
  for (let i = 0; i < options.operations; i++) {
    nowMs += prng.nextInt(1, 4);
    const client = pickFreeClient(prng, freeAtMs, nowMs);
    nowMs = Math.max(nowMs, freeAtMs[client] ?? 0);
    const key = `k${prng.nextInt(0, options.keys)}`;
    const value = options.valuePool === undefined ? `v${i}` : `v${prng.nextInt(0, options.valuePool)}`;
    const input = randomInput(prng, key, value, store.get(key) ?? null, written);
    const callMs = Math.max(freeAtMs[client] ?? 0, nowMs - prng.nextInt(0, options.maxLatencyMs + 1));
    const unknown = prng.chance(options.unknownChance);
    const applied = !unknown || prng.chance(0.5);
    const output = applied ? applyKv(store, input) : undefined;
    if (input.kind === 'put' || input.kind === 'cas') written.push(input.value);
    const returnMs = nowMs + prng.nextInt(0, options.maxLatencyMs + 1);
    freeAtMs[client] = returnMs + 1;
    history.push(
      unknown || output === undefined
        ? { clientId: client, input, output: UNKNOWN, callMs, returnMs: Number.POSITIVE_INFINITY }
        : { clientId: client, input, output, callMs, returnMs },
    );
  }
  return history;
}

function pickFreeClient(prng: Prng, freeAtMs: readonly number[], nowMs: number): number {
  const free = freeAtMs.flatMap((at, client) => (at <= nowMs ? [client] : []));
  if (free.length > 0) return free[prng.nextInt(0, free.length)] ?? 0;
  // Everyone is busy: the one that frees up first goes next.
  return freeAtMs.indexOf(Math.min(...freeAtMs));
}

function randomInput(prng: Prng, key: string, value: string, current: string | null, written: readonly string[]): KvInput {
  const roll = prng.next();
  if (roll < 0.45) return { kind: 'get', key };
  if (roll < 0.7) return { kind: 'put', key, value };
  if (roll < 0.9) {
    // Half the time expect the current value, so swaps both succeed and fail.
    const expected = prng.chance(0.5) ? current : (written[prng.nextInt(0, written.length + 1)] ?? null);
    return { kind: 'cas', key, expected, value };
  }
  return { kind: 'delete', key };
}

/** The atomic reference store: what a correct system does at the linearization point. */
export function applyKv(store: Map<string, string>, input: KvInput): KvOutput {
  const current = store.get(input.key) ?? null;
  switch (input.kind) {
    case 'get':
      return { kind: 'get', value: current };
    case 'put':
      store.set(input.key, input.value);
      return { kind: 'put' };
    case 'delete':
      store.delete(input.key);
      return { kind: 'delete' };
    case 'cas': {
      const swapped = current === input.expected;
      if (swapped) store.set(input.key, input.value);
      return { kind: 'cas', swapped };
    }
  }
}
