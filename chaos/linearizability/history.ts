/**
 * A history is what clients saw: each operation's input, its output, and the interval of real
 * (or virtual) time between the call and the return. Linearizability asks whether every operation
 * can be given a single instant inside its interval such that, in that order, a sequential model
 * produces exactly the outputs the clients saw.
 */
import { assert } from '../../common/index.ts';

/**
 * The output of an operation whose client gave up (timed out, lost its connection): the operation
 * may or may not have taken effect, and if it did, at any time after its call.
 */
export const UNKNOWN: unique symbol = Symbol('flotilla.linearizability.unknown-outcome');
export type Unknown = typeof UNKNOWN;

export interface Operation<Input, Output> {
  /** For explanations only; the checker does not need operations of one client to be sequential. */
  readonly clientId: number | string;
  readonly input: Input;
  /** `UNKNOWN` exactly when `returnMs` is `+Infinity`. */
  readonly output: Output | Unknown;
  readonly callMs: number;
  /** `+Infinity` for an operation with an unknown outcome. */
  readonly returnMs: number;
}

export type History<Input, Output> = readonly Operation<Input, Output>[];

export function isUnknownOutcome<Input, Output>(op: Operation<Input, Output>): boolean {
  return op.output === UNKNOWN;
}

/** An operation whose client never heard back: it is open to the end of time. */
export function unknownOutcome<Input, Output>(
  clientId: number | string,
  input: Input,
  callMs: number,
): Operation<Input, Output> {
  return { clientId, input, output: UNKNOWN, callMs, returnMs: Number.POSITIVE_INFINITY };
}

/**
 * A malformed history is a bug in whoever recorded it, not a linearizability violation, so it
 * fails loudly instead of producing a misleading verdict.
 */
export function validateHistory<Input, Output>(history: History<Input, Output>): void {
  history.forEach((op, index) => {
    assert(Number.isFinite(op.callMs), () => `operation ${index}: callMs must be finite, got ${op.callMs}`);
    assert(!Number.isNaN(op.returnMs), () => `operation ${index}: returnMs is NaN`);
    assert(op.callMs <= op.returnMs, () => `operation ${index}: returns (${op.returnMs}) before its call (${op.callMs})`);
    const unknown = op.output === UNKNOWN;
    const open = op.returnMs === Number.POSITIVE_INFINITY;
    assert(unknown === open, () =>
      `operation ${index}: an unknown outcome must have returnMs = +Infinity and vice versa`,
    );
  });
}
