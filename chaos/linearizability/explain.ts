/**
 * Turns the deepest point of a failed search into something a person can act on: how far a
 * linearization got, the state it reached, and the operation that could not be placed.
 */
import { UNKNOWN, type Operation } from './history.ts';
import type { Model } from './model.ts';
import type { DeepestFailure } from './search.ts';

/** Only the end of a long prefix matters for a stale read; the rest would bury it. */
export const PREFIX_TAIL_SHOWN = 8;
export const PENDING_SHOWN = 8;

export interface IllegalExplanation<State> {
  /** Position of the failing sub-history among the model's partitions. */
  readonly partitionIndex: number;
  /** History indices of every operation in that partition. */
  readonly partitionOps: readonly number[];
  /** History indices, in linearization order: the longest prefix the search could place. */
  readonly longestPrefix: readonly number[];
  readonly stateAfterPrefix: State;
  /** History index of the operation that returned before it could be placed after that prefix. */
  readonly blockingOp: number;
  /** History indices of the other operations pending at that point (the search tried them first). */
  readonly pendingOps: readonly number[];
  readonly text: string;
}

export function explainFailure<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  partitionIndex: number,
  partitionOps: readonly number[],
  deepest: DeepestFailure<State>,
): IllegalExplanation<State> {
  const toHistory = (local: number): number => partitionOps[local] ?? -1;
  const longestPrefix = deepest.prefix.map(toHistory);
  const blockingOp = toHistory(deepest.blockingOp);
  const pendingOps = deepest.pendingOps.map(toHistory);
  const line = (index: number): string => `  ${describeHistoryOp(model, history, index)}`;
  const blocking = history[blockingOp];
  const rejected = blocking !== undefined && !model.step(deepest.stateAfterPrefix, blocking.input, blocking.output).ok;
  const shownPrefix = longestPrefix.slice(-PREFIX_TAIL_SHOWN);
  const text = [
    `not linearizable: sub-history ${partitionIndex} (${partitionOps.length} operations) has no valid order.`,
    `The longest linearizable prefix places ${longestPrefix.length} of them and ends in state ${describeState(model, deepest.stateAfterPrefix)}` +
      (shownPrefix.length < longestPrefix.length ? `; its last ${shownPrefix.length}:` : ':'),
    ...shownPrefix.map(line),
    `Then this operation returned before it could be placed:`,
    line(blockingOp),
    (rejected ? 'The model rejects it in that state' : 'Placing it there leads to a dead end later') +
      (pendingOps.length === 0
        ? ', and no other operation was pending.'
        : `, and placing any of the ${pendingOps.length} other pending operations first did not help:`),
    ...pendingOps.slice(0, PENDING_SHOWN).map(line),
    ...(pendingOps.length > PENDING_SHOWN ? [`  ... and ${pendingOps.length - PENDING_SHOWN} more`] : []),
  ].join('\n');
  return { partitionIndex, partitionOps, longestPrefix, stateAfterPrefix: deepest.stateAfterPrefix, blockingOp, pendingOps, text };
}

export function describeHistoryOp<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: readonly Operation<Input, Output>[],
  index: number,
): string {
  const op = history[index];
  if (op === undefined) return `#${index} (missing)`;
  const end = op.returnMs === Number.POSITIVE_INFINITY ? '∞)' : `${op.returnMs}]`;
  const what = model.describeOperation?.(op.input, op.output) ?? defaultDescription(op.input, op.output);
  return `#${index} client ${String(op.clientId)} [${op.callMs}, ${end} ${what}`;
}

function describeState<State, Input, Output>(model: Model<State, Input, Output>, state: State): string {
  return model.describeState?.(state) ?? safeJson(state);
}

function defaultDescription(input: unknown, output: unknown): string {
  const result = output === UNKNOWN ? '? (unknown outcome)' : safeJson(output);
  return `${safeJson(input)} -> ${result}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
