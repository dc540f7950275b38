import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../common/index.ts';
import {
  applyKv,
  checkLinearizability,
  generateLinearizableKvHistory,
  kvModel,
  UNKNOWN,
  type KvInput,
  type KvOperation,
} from '../../chaos/linearizability/index.ts';

/** Far above what these small histories need, so a verdict is never a timeout. */
const PROPERTY_MAX_STATES = 2_000_000;
const NEVER_WRITTEN = 'never-written';
const STEP_MS = 10;

type Fate = 'returned' | 'lost-applied' | 'lost-dropped';
interface Step {
  readonly kind: KvInput['kind'];
  readonly key: number;
  readonly value: number;
  readonly expectCurrent: boolean;
  readonly before: number;
  readonly after: number;
  readonly fate: Fate;
}

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom<KvInput['kind']>('get', 'get', 'put', 'cas', 'delete'),
  key: fc.integer({ min: 0, max: 2 }),
  value: fc.integer({ min: 0, max: 3 }),
  expectCurrent: fc.boolean(),
  // Up to 6 steps either side: heavy overlap between neighbours.
  before: fc.integer({ min: 0, max: 6 * STEP_MS }),
  after: fc.integer({ min: 0, max: 6 * STEP_MS }),
  fate: fc.constantFrom<Fate>('returned', 'returned', 'returned', 'returned', 'lost-applied', 'lost-dropped'),
});

/** Run the steps on an atomic map, step i taking effect at i * STEP_MS, inside its drawn interval. */
function runAtomically(steps: readonly Step[]): KvOperation[] {
  const store = new Map<string, string>();
  return steps.map((step, i): KvOperation => {
    const key = `k${step.key}`;
    const value = `v${step.value}`;
    const input: KvInput =
      step.kind === 'get' ? { kind: 'get', key }
      : step.kind === 'put' ? { kind: 'put', key, value }
      : step.kind === 'delete' ? { kind: 'delete', key }
      : { kind: 'cas', key, value, expected: step.expectCurrent ? (store.get(key) ?? null) : `v${(step.value + 1) % 4}` };
    const atMs = i * STEP_MS;
    const callMs = atMs - step.before;
    if (step.fate === 'lost-dropped') return { clientId: i % 5, input, output: UNKNOWN, callMs, returnMs: Infinity };
    const output = applyKv(store, input);
    if (step.fate === 'lost-applied') return { clientId: i % 5, input, output: UNKNOWN, callMs, returnMs: Infinity };
    return { clientId: i % 5, input, output, callMs, returnMs: atMs + step.after };
  });
}

/** Every order of every subset, for tiny histories: the reference the search must agree with. */
function bruteForceLinearizable(history: readonly KvOperation[]): boolean {
  const placeable = (remaining: readonly KvOperation[], op: KvOperation): boolean =>
    remaining.every((other) => other === op || !(other.returnMs < op.callMs));
  const search = (remaining: readonly KvOperation[], state: ReadonlyMap<string, string>): boolean => {
    if (remaining.every((op) => op.output === UNKNOWN)) return true;
    return remaining.some((op) => {
      if (!placeable(remaining, op)) return false;
      const result = kvModel.step(state, op.input, op.output);
      return result.ok && search(remaining.filter((other) => other !== op), result.state);
    });
  };
  return search(history, kvModel.init());
}

const tinyOperation: fc.Arbitrary<KvOperation> = fc
  .record({
    kind: fc.constantFrom<KvInput['kind']>('get', 'put', 'cas', 'delete'),
    value: fc.constantFrom('a', 'b'),
    expected: fc.constantFrom<string | null>(null, 'a', 'b'),
    read: fc.constantFrom<string | null>(null, 'a', 'b'),
    swapped: fc.boolean(),
    callMs: fc.integer({ min: 0, max: 20 }),
    lengthMs: fc.integer({ min: 0, max: 10 }),
    lost: fc.integer({ min: 0, max: 3 }).map((roll) => roll === 0),
  })
  .map((r): KvOperation => {
    const key = 'x';
    const [input, output]: [KvInput, KvOperation['output']] =
      r.kind === 'get' ? [{ kind: 'get', key }, { kind: 'get', value: r.read }]
      : r.kind === 'put' ? [{ kind: 'put', key, value: r.value }, { kind: 'put' }]
      : r.kind === 'delete' ? [{ kind: 'delete', key }, { kind: 'delete' }]
      : [{ kind: 'cas', key, expected: r.expected, value: r.value }, { kind: 'cas', swapped: r.swapped }];
    return r.lost
      ? { clientId: 0, input, output: UNKNOWN, callMs: r.callMs, returnMs: Infinity }
      : { clientId: 0, input, output, callMs: r.callMs, returnMs: r.callMs + r.lengthMs };
  });

function knownReads(history: readonly KvOperation[]): number[] {
  return history.flatMap((op, i) => (op.input.kind === 'get' && op.output !== UNKNOWN ? [i] : []));
}

describe('linearizability: properties', () => {
  it('accepts every history produced by an atomic store', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 40 }), (steps) => {
        const result = checkLinearizability(kvModel, runAtomically(steps), { maxStates: PROPERTY_MAX_STATES });
        expect(result.outcome).toBe('ok');
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any such history once a read returns a value never written', () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 40 }), fc.nat(), (steps, pick) => {
        const history = runAtomically(steps);
        const reads = knownReads(history);
        fc.pre(reads.length > 0);
        const victim = reads[pick % reads.length] ?? 0;
        const original = history[victim];
        if (original === undefined) return;
        history[victim] = { ...original, output: { kind: 'get', value: NEVER_WRITTEN } };
        const result = checkLinearizability(kvModel, history, { maxStates: PROPERTY_MAX_STATES });
        expect(result.outcome).toBe('illegal');
        if (result.outcome === 'illegal') expect(result.explanation.blockingOp).toBe(victim);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with brute force on tiny arbitrary histories, legal or not', () => {
    fc.assert(
      fc.property(fc.array(tinyOperation, { maxLength: 7 }), (history) => {
        const expected = bruteForceLinearizable(history) ? 'ok' : 'illegal';
        expect(checkLinearizability(kvModel, history).outcome).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts generated multi-client histories with unknown outcomes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const history = generateLinearizableKvHistory(createPrng(seed), {
          operations: 150, keys: 2, clients: 6, maxLatencyMs: 20, unknownChance: 0.1, valuePool: 3,
        });
        expect(checkLinearizability(kvModel, history, { maxStates: PROPERTY_MAX_STATES }).outcome).toBe('ok');
      }),
      { numRuns: 100 },
    );
  });
});
