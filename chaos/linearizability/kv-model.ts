/**
 * A key-value store with get, put, compare-and-swap and delete, partitioned per key like
 * porcupine's etcd model: operations on different keys commute, so each key is checked alone.
 * The state is still a whole map, so the model stays correct if a caller checks it unpartitioned.
 */
import { assert } from '../../common/index.ts';
import { combineHashes, hashString } from './hash.ts';
import { UNKNOWN, type Operation, type Unknown } from './history.ts';
import type { Model, StepResult } from './model.ts';

export type KvInput =
  | { readonly kind: 'get'; readonly key: string }
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  /** `expected: null` means "only if absent" (a create). */
  | { readonly kind: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string }
  | { readonly kind: 'delete'; readonly key: string };

export type KvOutput =
  | { readonly kind: 'get'; readonly value: string | null }
  | { readonly kind: 'put' }
  | { readonly kind: 'cas'; readonly swapped: boolean }
  | { readonly kind: 'delete' };

/** Absent keys are simply missing. Never mutated: every write makes a new map. */
export type KvState = ReadonlyMap<string, string>;

export type KvOperation = Operation<KvInput, KvOutput>;

function withValue(state: KvState, key: string, value: string | null): KvState {
  const next = new Map(state);
  if (value === null) next.delete(key);
  else next.set(key, value);
  return next;
}

function kvStep(state: KvState, input: KvInput, output: KvOutput | Unknown): StepResult<KvState> {
  assert(output === UNKNOWN || output.kind === input.kind, () => `kv: ${input.kind} answered with ${JSON.stringify(output)}`);
  const current = state.get(input.key) ?? null;
  switch (input.kind) {
    case 'get':
      // An unknown read changes nothing and constrains nothing.
      return { ok: output === UNKNOWN || (output.kind === 'get' && output.value === current), state };
    case 'put':
      return { ok: true, state: withValue(state, input.key, input.value) };
    case 'delete':
      return { ok: true, state: current === null ? state : withValue(state, input.key, null) };
    case 'cas': {
      const swaps = current === input.expected;
      const ok = output === UNKNOWN || (output.kind === 'cas' && output.swapped === swaps);
      return { ok, state: swaps ? withValue(state, input.key, input.value) : state };
    }
  }
}

function kvEqual(a: KvState, b: KvState): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    if (b.get(key) !== value) return false;
  }
  return true;
}

/** Sum of per-entry hashes: independent of the map's insertion order, as equality is. */
function kvHash(state: KvState): number {
  let sum = 0;
  for (const [key, value] of state) sum = (sum + combineHashes(hashString(key), hashString(value))) >>> 0;
  return sum;
}

function kvPartition(history: readonly KvOperation[]): KvOperation[][] {
  const byKey = new Map<string, KvOperation[]>();
  for (const op of history) {
    const ops = byKey.get(op.input.key);
    if (ops === undefined) byKey.set(op.input.key, [op]);
    else ops.push(op);
  }
  return [...byKey.values()];
}

function show(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

export function describeKvOperation(input: KvInput, output: KvOutput | Unknown): string {
  const key = JSON.stringify(input.key);
  const call =
    input.kind === 'get' ? `get(${key})`
    : input.kind === 'put' ? `put(${key}, ${show(input.value)})`
    : input.kind === 'cas' ? `cas(${key}, ${show(input.expected)} -> ${show(input.value)})`
    : `delete(${key})`;
  if (output === UNKNOWN) return `${call} -> ? (unknown outcome)`;
  if (output.kind === 'get') return `${call} -> ${show(output.value)}`;
  if (output.kind === 'cas') return `${call} -> ${output.swapped ? 'swapped' : 'not swapped'}`;
  return `${call} -> ok`;
}

function describeKvState(state: KvState): string {
  if (state.size === 0) return '{} (every key absent)';
  return `{${[...state].map(([key, value]) => `${JSON.stringify(key)}: ${show(value)}`).join(', ')}}`;
}

export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => new Map<string, string>(),
  step: kvStep,
  equal: kvEqual,
  hash: kvHash,
  partition: kvPartition,
  describeOperation: describeKvOperation,
  describeState: describeKvState,
};
