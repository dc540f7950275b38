/**
 * The call and return events of one partition, sorted by time, in a doubly linked list over typed
 * arrays. Linearizing an operation unlinks both of its events ("lift"); backtracking relinks them
 * in reverse order ("unlift", dancing links), so both are O(1).
 */
import type { Operation } from './history.ts';

export const NONE = -1;

export interface EntryList {
  /** The sentinel before the first event. */
  readonly head: number;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** Event e < n is the call of operation e; event n + i is the return of operation i. */
  readonly opCount: number;
}

export function isCallEntry(list: EntryList, entry: number): boolean {
  return entry < list.opCount;
}

export function entryOp(list: EntryList, entry: number): number {
  return entry < list.opCount ? entry : entry - list.opCount;
}

/**
 * At equal times a call sorts before a return, so touching intervals count as concurrent: with
 * millisecond clocks we cannot tell which came first, and the checker must not invent an order.
 */
export function buildEntryList(ops: readonly Operation<unknown, unknown>[]): EntryList {
  const n = ops.length;
  const time = (entry: number): number =>
    entry < n ? (ops[entry]?.callMs ?? 0) : (ops[entry - n]?.returnMs ?? 0);
  const order = Array.from({ length: 2 * n }, (_, entry) => entry);
  order.sort((a, b) => compareNumbers(time(a), time(b)) || (a < n ? 0 : 1) - (b < n ? 0 : 1) || a - b);
  const head = 2 * n;
  const next = new Int32Array(2 * n + 1).fill(NONE);
  const prev = new Int32Array(2 * n + 1).fill(NONE);
  let last = head;
  for (const entry of order) {
    next[last] = entry;
    prev[entry] = last;
    last = entry;
  }
  return { head, next, prev, opCount: n };
}

/** Not `a - b`: two unknown-outcome returns are both +Infinity, and Infinity - Infinity is NaN. */
function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unlink(list: EntryList, entry: number): void {
  const before = list.prev[entry] ?? NONE;
  const after = list.next[entry] ?? NONE;
  list.next[before] = after;
  if (after !== NONE) list.prev[after] = before;
}

function relink(list: EntryList, entry: number): void {
  const before = list.prev[entry] ?? NONE;
  const after = list.next[entry] ?? NONE;
  list.next[before] = entry;
  if (after !== NONE) list.prev[after] = entry;
}

export function lift(list: EntryList, op: number): void {
  unlink(list, op);
  unlink(list, list.opCount + op);
}

export function unlift(list: EntryList, op: number): void {
  relink(list, list.opCount + op);
  relink(list, op);
}
