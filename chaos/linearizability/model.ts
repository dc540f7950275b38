/**
 * The sequential specification a history is checked against. The checker knows nothing about
 * keys or values; everything object-specific lives in a `Model`.
 */
import type { Operation, Unknown } from './history.ts';

export interface StepResult<State> {
  /** Whether the model, in `state`, can produce this output for this input. */
  readonly ok: boolean;
  /** The state afterwards (ignored when `ok` is false). States are never mutated in place. */
  readonly state: State;
}

export interface Model<State, Input, Output> {
  init(): State;
  /**
   * Apply one operation. With `output === UNKNOWN` the model must say what the operation does
   * if it took effect; the checker itself covers the "never took effect" case.
   */
  step(state: State, input: Input, output: Output | Unknown): StepResult<State>;
  /** Equality of states, for memoizing (linearized set, state) pairs. */
  equal(a: State, b: State): boolean;
  /** A 32-bit hash; equal states must hash equally. */
  hash(state: State): number;
  /**
   * Split a history into independent sub-histories (for a KV store: one per key). Each is
   * checked alone, which turns one exponential search into many small ones. Must return the
   * same operation objects it was given.
   */
  partition?(history: readonly Operation<Input, Output>[]): readonly (readonly Operation<Input, Output>[])[];
  /** Human-readable forms for explanations. */
  describeOperation?(input: Input, output: Output | Unknown): string;
  describeState?(state: State): string;
}
