import { describe, expect, it } from 'vitest';
import { AssertionFailure } from '../../common/index.ts';
import {
  checkLinearizability,
  HistoryRecorder,
  kvModel,
  registerModel,
  UNKNOWN,
  unknownOutcome,
  type CheckResult,
  type KvInput,
  type KvOperation,
  type KvOutput,
  type Model,
  type RegisterInput,
  type RegisterOperation,
  type RegisterOutput,
} from '../../chaos/linearizability/index.ts';

type Client = number | string;
const get = (c: Client, key: string, value: string | null, callMs: number, returnMs: number): KvOperation => ({
  clientId: c, input: { kind: 'get', key }, output: { kind: 'get', value }, callMs, returnMs,
});
const put = (c: Client, key: string, value: string, callMs: number, returnMs: number): KvOperation => ({
  clientId: c, input: { kind: 'put', key, value }, output: { kind: 'put' }, callMs, returnMs,
});
const del = (c: Client, key: string, callMs: number, returnMs: number): KvOperation => ({
  clientId: c, input: { kind: 'delete', key }, output: { kind: 'delete' }, callMs, returnMs,
});
const cas = (
  c: Client, key: string, expected: string | null, value: string, swapped: boolean, callMs: number, returnMs: number,
): KvOperation => ({
  clientId: c, input: { kind: 'cas', key, expected, value }, output: { kind: 'cas', swapped }, callMs, returnMs,
});
const lostPut = (c: Client, key: string, value: string, callMs: number): KvOperation =>
  unknownOutcome<KvInput, KvOutput>(c, { kind: 'put', key, value }, callMs);

function check(history: readonly KvOperation[]): CheckResult<ReadonlyMap<string, string>> {
  return checkLinearizability(kvModel, history);
}

describe('linearizability: KV, classic examples', () => {
  it('accepts the empty history', () => {
    expect(check([]).outcome).toBe('ok');
  });

  it('accepts a sequential history and reports its order', () => {
    const history = [put('a', 'x', '1', 0, 10), get('b', 'x', '1', 20, 30), del('a', 'x', 40, 50), get('b', 'x', null, 60, 70)];
    const result = check(history);
    expect(result.outcome).toBe('ok');
    if (result.outcome === 'ok') expect(result.linearizations).toEqual([[0, 1, 2, 3]]);
  });

  it('rejects a stale read after a write completed', () => {
    const history = [put('a', 'x', '1', 0, 10), put('a', 'x', '2', 20, 30), get('b', 'x', '1', 40, 50)];
    const result = check(history);
    expect(result.outcome).toBe('illegal');
    if (result.outcome !== 'illegal') return;
    expect(result.explanation.longestPrefix).toEqual([0, 1]);
    expect(result.explanation.blockingOp).toBe(2);
    expect(result.explanation.stateAfterPrefix.get('x')).toBe('2');
    expect(result.explanation.text).toContain('#2 client b [40, 50] get("x") -> "1"');
    expect(result.explanation.text).toContain('The model rejects it in that state');
  });

  it('accepts a read concurrent with a write that sees either value', () => {
    const base = [put('a', 'x', '1', 0, 10), put('a', 'x', '2', 20, 40)];
    expect(check([...base, get('b', 'x', '1', 25, 35)]).outcome).toBe('ok');
    expect(check([...base, get('b', 'x', '2', 25, 35)]).outcome).toBe('ok');
  });

  it('treats touching intervals as concurrent', () => {
    expect(check([put('a', 'x', '1', 0, 10), get('b', 'x', null, 10, 20)]).outcome).toBe('ok');
    expect(check([put('a', 'x', '1', 0, 10), get('b', 'x', null, 11, 20)]).outcome).toBe('illegal');
  });

  it('accepts two readers agreeing on the order of concurrent writes', () => {
    const history = [
      put('w1', 'x', '1', 0, 100), put('w2', 'x', '2', 0, 100),
      get('r1', 'x', '1', 10, 20), get('r1', 'x', '2', 30, 40),
      get('r2', 'x', '1', 10, 20), get('r2', 'x', '2', 30, 40),
    ];
    expect(check(history).outcome).toBe('ok');
  });

  it('rejects two readers seeing concurrent writes in opposite orders', () => {
    const history = [
      put('w1', 'x', '1', 0, 100), put('w2', 'x', '2', 0, 100),
      get('r1', 'x', '1', 10, 20), get('r1', 'x', '2', 30, 40),
      get('r2', 'x', '2', 10, 20), get('r2', 'x', '1', 30, 40),
    ];
    expect(check(history).outcome).toBe('illegal');
  });

  it('rejects a read of a value never written', () => {
    const history = [put('a', 'x', '1', 0, 100), get('b', 'x', '7', 10, 20)];
    const result = check(history);
    expect(result.outcome).toBe('illegal');
    if (result.outcome === 'illegal') expect(result.explanation.blockingOp).toBe(1);
  });

  it('rejects a read of a deleted value after the delete completed', () => {
    expect(check([put('a', 'x', '1', 0, 10), del('a', 'x', 20, 30), get('b', 'x', '1', 40, 50)]).outcome).toBe('illegal');
  });

  it('rejects two concurrent creates that both succeed', () => {
    expect(check([cas('a', 'x', null, 'A', true, 0, 10), cas('b', 'x', null, 'B', true, 0, 10)]).outcome).toBe('illegal');
  });

  it('accepts a create race with one winner, whose value later reads see', () => {
    const history = [cas('a', 'x', null, 'A', false, 0, 10), cas('b', 'x', null, 'B', true, 0, 10), get('c', 'x', 'B', 20, 30)];
    expect(check(history).outcome).toBe('ok');
    const wrongWinner = [cas('a', 'x', null, 'A', false, 0, 10), cas('b', 'x', null, 'B', true, 0, 10), get('c', 'x', 'A', 20, 30)];
    expect(check(wrongWinner).outcome).toBe('illegal');
  });

  it('rejects a cas that swapped against a value already overwritten', () => {
    const history = [put('a', 'x', '1', 0, 10), put('a', 'x', '3', 20, 30), cas('b', 'x', '1', '2', true, 40, 50)];
    expect(check(history).outcome).toBe('illegal');
  });

  it('rejects a cas that failed although the expected value was in place throughout', () => {
    expect(check([put('a', 'x', '1', 0, 10), cas('b', 'x', '1', '2', false, 20, 30)]).outcome).toBe('illegal');
  });

  it('checks keys independently, one sub-history per key', () => {
    const history = [put('a', 'x', '1', 0, 10), put('a', 'y', '1', 0, 10), get('b', 'y', '1', 20, 30), get('b', 'x', null, 20, 30)];
    const result = check(history);
    expect(result.partitions).toBe(2);
    expect(result.outcome).toBe('illegal');
    if (result.outcome === 'illegal') expect(result.explanation.partitionOps).toEqual([0, 3]);
  });
});

describe('linearizability: unknown outcomes', () => {
  it('accepts a lost write that took effect', () => {
    expect(check([lostPut('a', 'x', '1', 0), get('b', 'x', '1', 20, 30)]).outcome).toBe('ok');
  });

  it('accepts a lost write that never took effect', () => {
    expect(check([lostPut('a', 'x', '1', 0), get('b', 'x', null, 20, 30), get('b', 'x', null, 40, 50)]).outcome).toBe('ok');
  });

  it('accepts a lost write that took effect late', () => {
    expect(check([lostPut('a', 'x', '1', 0), get('b', 'x', null, 20, 30), get('b', 'x', '1', 1000, 1010)]).outcome).toBe('ok');
  });

  it('rejects a lost write seen and then unseen', () => {
    expect(check([lostPut('a', 'x', '1', 0), get('b', 'x', '1', 20, 30), get('b', 'x', null, 40, 50)]).outcome).toBe('illegal');
  });

  it('rejects a lost write seen before it was called', () => {
    expect(check([get('b', 'x', '1', 0, 10), lostPut('a', 'x', '1', 20)]).outcome).toBe('illegal');
  });

  it('accepts a lost write placed between two completed writes', () => {
    const history = [put('a', 'x', '1', 0, 10), lostPut('b', 'x', '2', 5), put('a', 'x', '3', 20, 30), get('c', 'x', '3', 40, 50)];
    expect(check(history).outcome).toBe('ok');
    // ... and one placed after the last write, seen by the last read.
    const late = [put('a', 'x', '1', 0, 10), lostPut('b', 'x', '2', 5), put('a', 'x', '3', 20, 30), get('c', 'x', '2', 40, 50)];
    expect(check(late).outcome).toBe('ok');
  });

  it('explains a failure without timed-out writes the prefix did not need', () => {
    const history = [
      put('a', 'x', '1', 0, 10), lostPut('c', 'x', '9', 5), put('a', 'x', '2', 20, 30),
      get('b', 'x', '1', 25, 50), get('b', 'x', '1', 60, 70),
    ];
    const result = check(history);
    expect(result.outcome).toBe('illegal');
    if (result.outcome !== 'illegal') return;
    expect(result.explanation.longestPrefix).toEqual([0, 3, 2]);
    expect(result.explanation.blockingOp).toBe(4);
    expect(result.explanation.pendingOps).toEqual([1]);
    expect(result.explanation.text).toContain('ends in state {"x": "2"}');
  });

  it('rejects an unknown outcome whose return time is finite', () => {
    const bad: KvOperation = { clientId: 'a', input: { kind: 'get', key: 'x' }, output: UNKNOWN, callMs: 0, returnMs: 5 };
    expect(() => check([bad])).toThrow(AssertionFailure);
  });

  it('rejects an operation that returns before its call', () => {
    expect(() => check([get('a', 'x', null, 10, 5)])).toThrow(AssertionFailure);
  });
});

describe('linearizability: budget', () => {
  // Many concurrent writes of the same value and reads the model cannot settle early: a wide search.
  const WIDTH = 12;
  function wideHistory(): KvOperation[] {
    const history: KvOperation[] = [];
    for (let i = 0; i < WIDTH; i++) history.push(put(`w${i}`, 'x', `v${i}`, 0, 1000));
    history.push(get('r', 'x', 'never', 2000, 2010));
    return history;
  }

  it('gives up with unknown-timeout when the state budget runs out', () => {
    const result = checkLinearizability(kvModel, wideHistory(), { maxStates: 50 });
    expect(result.outcome).toBe('unknown-timeout');
    if (result.outcome === 'unknown-timeout') expect(result.exhaustedBy).toBe('max-states');
    expect(result.exploredStates).toBe(50);
  });

  it('gives up with unknown-timeout when the deadline has passed', () => {
    const clock = { nowMs: () => 1000 };
    const result = checkLinearizability(kvModel, wideHistory(), { deadlineMs: 999, clock });
    expect(result.outcome).toBe('unknown-timeout');
    if (result.outcome === 'unknown-timeout') expect(result.exhaustedBy).toBe('deadline');
  });

  it('memoization keeps a wide but illegal history cheap', () => {
    // 12! orders, but only 2^12 * 13 (set, state) pairs; the last read sees a value never written.
    const result = checkLinearizability(kvModel, wideHistory());
    expect(result.outcome).toBe('illegal');
    expect(result.exploredStates).toBeLessThanOrEqual(2 ** WIDTH * (WIDTH + 1));
  });

  it('keeps many timed-out writes from multiplying the search', () => {
    // Without dominance pruning each lost write doubles the nodes: 2^20 before the read is refuted.
    const history: KvOperation[] = [];
    for (let i = 0; i < 20; i++) {
      history.push(put('a', 'x', `k${i}`, i * 100, i * 100 + 10), lostPut(`lost${i}`, 'x', `u${i}`, i * 100 + 5));
    }
    history.push(get('r', 'x', 'k3', 5000, 5010));
    const result = checkLinearizability(kvModel, history, { maxStates: 10_000 });
    expect(result.outcome).toBe('illegal');
    expect(result.exploredStates).toBeLessThan(1000);
  });
});

describe('linearizability: register model and recorder', () => {
  const op = (
    c: Client, input: RegisterInput, output: RegisterOutput, callMs: number, returnMs: number,
  ): RegisterOperation => ({ clientId: c, input, output, callMs, returnMs });

  it('accepts a linearizable register history and rejects a stale read', () => {
    const ok = [
      op(1, { kind: 'write', value: 'a' }, { kind: 'write' }, 0, 10),
      op(2, { kind: 'cas', expected: 'a', value: 'b' }, { kind: 'cas', swapped: true }, 5, 20),
      op(3, { kind: 'read' }, { kind: 'read', value: 'a' }, 6, 15),
      op(3, { kind: 'read' }, { kind: 'read', value: 'b' }, 21, 25),
    ];
    expect(checkLinearizability(registerModel, ok).outcome).toBe('ok');
    const stale = [...ok, op(4, { kind: 'read' }, { kind: 'read', value: 'a' }, 30, 31)];
    const result = checkLinearizability(registerModel, stale);
    expect(result.outcome).toBe('illegal');
    if (result.outcome === 'illegal') expect(result.explanation.text).toContain('read() -> "a"');
  });

  it('records open operations as unknown outcomes and drops discarded ones', () => {
    let now = 0;
    const recorder = new HistoryRecorder<RegisterInput, RegisterOutput>({ nowMs: () => now });
    const write = recorder.invoke(1, { kind: 'write', value: 'a' });
    const rejected = recorder.invoke(2, { kind: 'write', value: 'z' });
    now = 5;
    recorder.discard(rejected);
    const read = recorder.invoke(2, { kind: 'read' });
    now = 9;
    recorder.complete(read, { kind: 'read', value: 'a' });
    void write; // never completes: its client timed out.
    const history = recorder.history();
    expect(history).toHaveLength(2);
    expect(history[0]?.output).toBe(UNKNOWN);
    expect(history[0]?.returnMs).toBe(Number.POSITIVE_INFINITY);
    expect(history[1]).toMatchObject({ callMs: 5, returnMs: 9 });
    expect(checkLinearizability(registerModel, history).outcome).toBe('ok');
    expect(() => recorder.complete(read, { kind: 'read', value: null })).toThrow(AssertionFailure);
  });
});

describe('linearizability: a custom model', () => {
  // A FIFO queue: enqueue(x) -> ok, dequeue() -> x | null. State as an immutable array.
  type QueueInput = { kind: 'enq'; value: number } | { kind: 'deq' };
  type QueueOutput = { value: number | null };
  const queueModel: Model<readonly number[], QueueInput, QueueOutput> = {
    init: () => [],
    step(state, input, output) {
      if (input.kind === 'enq') return { ok: true, state: [...state, input.value] };
      const head = state[0] ?? null;
      const ok = output === UNKNOWN || output.value === head;
      return { ok, state: state.slice(1) };
    },
    equal: (a, b) => a.length === b.length && a.every((v, i) => v === b[i]),
    hash: (s) => s.reduce((h, v) => (Math.imul(h, 31) + v) >>> 0, 7),
  };
  const enq = (value: number, callMs: number, returnMs: number) =>
    ({ clientId: 'p', input: { kind: 'enq', value } as QueueInput, output: { value: null }, callMs, returnMs });
  const deq = (value: number | null, callMs: number, returnMs: number) =>
    ({ clientId: 'c', input: { kind: 'deq' } as QueueInput, output: { value }, callMs, returnMs });

  it('accepts FIFO order and concurrent reorderings, rejects LIFO', () => {
    expect(checkLinearizability(queueModel, [enq(1, 0, 10), enq(2, 20, 30), deq(1, 40, 50), deq(2, 60, 70)]).outcome).toBe('ok');
    expect(checkLinearizability(queueModel, [enq(1, 0, 30), enq(2, 0, 30), deq(2, 40, 50), deq(1, 60, 70)]).outcome).toBe('ok');
    expect(checkLinearizability(queueModel, [enq(1, 0, 10), enq(2, 20, 30), deq(2, 40, 50)]).outcome).toBe('illegal');
  });
});
