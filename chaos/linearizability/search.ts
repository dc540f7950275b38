/**
 * The Wing–Gong–Lowe search (as in porcupine) over one partition. Walk the events in time order;
 * at a call, try to linearize that operation now (the model must accept its output, and the
 * resulting node must be new); at a return, the operation returning was never placed, so undo the
 * most recent choice and try the next candidate. Placing every known-outcome operation means
 * success; backtracking past the first choice means no linearization exists.
 *
 * At each node the candidates with known outcomes are tried before the unknown-outcome ones, so
 * the cheapest explanation (the timed-out operation never happened) is explored first and the
 * dominance memo (cache.ts) can prune the nodes that place unknown operations needlessly.
 */
import { assert } from '../../common/index.ts';
import { Bitset, wordCount, zobristKeys } from './bitset.ts';
import type { Budget } from './budget.ts';
import { VisitedCache } from './cache.ts';
import { buildEntryList, entryOp, isCallEntry, lift, NONE, unlift, type EntryList } from './entries.ts';
import type { Operation } from './history.ts';
import type { Model } from './model.ts';

/** The deepest point the search reached before it had to back off: the basis of an explanation. */
export interface DeepestFailure<State> {
  /** Partition-local operation indices, in linearization order. */
  readonly prefix: readonly number[];
  readonly stateAfterPrefix: State;
  /** The operation whose return came while it was still unplaced. */
  readonly blockingOp: number;
  /** Other operations called but not placed at that point: the candidates the search had. */
  readonly pendingOps: readonly number[];
  /** Known-outcome operations in the prefix. */
  readonly knownPlaced: number;
}

export type PartitionOutcome<State> =
  | { readonly kind: 'ok'; readonly order: readonly number[] }
  | { readonly kind: 'illegal'; readonly deepest: DeepestFailure<State> }
  | { readonly kind: 'timeout' };

interface Frame<State> {
  readonly op: number;
  readonly stateBefore: State;
}

export function searchPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  ops: readonly Operation<Input, Output>[],
  budget: Budget,
): PartitionOutcome<State> {
  const list = buildEntryList(ops);
  const unknown = ops.map((op) => op.returnMs === Number.POSITIVE_INFINITY);
  const placed = new Bitset(ops.length, zobristKeys(ops.length, (i) => unknown[i] !== true));
  const visited = new VisitedCache<State>((a, b) => model.equal(a, b), (s) => model.hash(s), unknownMask(unknown));
  const stack: Frame<State>[] = [];
  let state = model.init();
  visited.add(placed, state);
  let deepest: DeepestFailure<State> | undefined;
  let knownPlaced = 0; // known-outcome operations on the stack
  let unknownPass = false; // false: trying known-outcome candidates; true: unknown-outcome ones
  let cursor = list.next[list.head] ?? NONE;
  while (cursor !== NONE) {
    const op = entryOp(list, cursor);
    const operation = ops[op];
    assert(operation !== undefined, 'entry list refers to a missing operation');
    if (isCallEntry(list, cursor)) {
      const result = unknown[op] === unknownPass ? model.step(state, operation.input, operation.output) : undefined;
      if (
        result?.ok === true &&
        !(unknownPass && skippingRunGivesSameState(model, stack, unknown, operation, result.state)) &&
        isNewNode(visited, placed, op, result.state)
      ) {
        if (!budget.spend()) return { kind: 'timeout' };
        stack.push({ op, stateBefore: state });
        if (!unknownPass) knownPlaced++;
        state = result.state;
        lift(list, op);
        [cursor, unknownPass] = [list.next[list.head] ?? NONE, false];
      } else {
        cursor = list.next[cursor] ?? NONE;
      }
      continue;
    }
    // Unknown-outcome returns sort last, so reaching one means every operation with a known
    // outcome is placed; the unknown ones still unplaced are taken never to have happened.
    if (unknown[op] === true) break;
    if (!unknownPass) {
      [cursor, unknownPass] = [list.next[list.head] ?? NONE, true];
      continue;
    }
    if (deepest === undefined || isDeeper(knownPlaced, stack.length, deepest)) {
      deepest = describeDeepest(list, stack, state, op, cursor, knownPlaced);
    }
    const frame = stack.pop();
    if (frame === undefined) return { kind: 'illegal', deepest };
    state = frame.stateBefore;
    if (unknown[frame.op] !== true) knownPlaced--;
    placed.clear(frame.op);
    unlift(list, frame.op);
    [cursor, unknownPass] = [list.next[frame.op] ?? NONE, unknown[frame.op] === true];
  }
  return { kind: 'ok', order: stack.map((frame) => frame.op) };
}

/**
 * Placing unknown-outcome operation `u` straight after other unknown ones (no known operation in
 * between) is pointless if placing `u` alone, at the state before that run, reaches the same
 * state: that node has the same known set, fewer unknowns and equal state, so it dominates this
 * one, and it is explored from the run's base anyway. Without this, k timed-out blind writes
 * still open at the end of a history are tried in all 2^k subsets.
 */
function skippingRunGivesSameState<State, Input, Output>(
  model: Model<State, Input, Output>,
  stack: readonly Frame<State>[],
  unknown: readonly boolean[],
  operation: Operation<Input, Output>,
  state: State,
): boolean {
  let base = stack.length;
  while (base > 0 && unknown[stack[base - 1]?.op ?? -1] === true) base--;
  const runBase = stack[base];
  if (runBase === undefined) return false; // no run: the top of the stack is known (or empty)
  const alone = model.step(runBase.stateBefore, operation.input, operation.output);
  return alone.ok && model.equal(alone.state, state);
}

function unknownMask(unknown: readonly boolean[]): Uint32Array {
  const mask = new Uint32Array(wordCount(unknown.length));
  unknown.forEach((isUnknown, i) => {
    if (isUnknown) mask[i >>> 5] = (mask[i >>> 5] ?? 0) | (1 << (i & 31));
  });
  return mask;
}

/** Marks `op` placed if the resulting node is not dominated; otherwise leaves the set unchanged. */
function isNewNode<State>(visited: VisitedCache<State>, placed: Bitset, op: number, state: State): boolean {
  placed.set(op);
  if (visited.add(placed, state)) return true;
  placed.clear(op);
  return false;
}

/**
 * Deeper means more known-outcome operations placed; among equals, fewer unknown-outcome ones,
 * because a person reading the prefix should not be shown timed-out writes it did not need.
 */
function isDeeper<State>(knownPlaced: number, placed: number, deepest: DeepestFailure<State>): boolean {
  if (knownPlaced !== deepest.knownPlaced) return knownPlaced > deepest.knownPlaced;
  return placed < deepest.prefix.length;
}

function describeDeepest<State>(
  list: EntryList,
  stack: readonly Frame<State>[],
  state: State,
  blockingOp: number,
  blockingEntry: number,
  knownPlaced: number,
): DeepestFailure<State> {
  // Calls still linked before the blocking return are exactly the unplaced concurrent candidates.
  const pendingOps: number[] = [];
  for (let entry = list.next[list.head] ?? NONE; entry !== NONE && entry !== blockingEntry; ) {
    if (isCallEntry(list, entry) && entry !== blockingOp) pendingOps.push(entryOp(list, entry));
    entry = list.next[entry] ?? NONE;
  }
  const prefix = stack.map((frame) => frame.op);
  return { prefix, stateAfterPrefix: state, blockingOp, pendingOps, knownPlaced };
}
