/**
 * One read/write/compare-and-swap register: the shape of a Raft-level simulation, where every
 * client reads and writes the replicated state machine's single value. Starts as `null`.
 */
import { assert } from '../../common/index.ts';
import { hashString } from './hash.ts';
import { UNKNOWN, type Operation, type Unknown } from './history.ts';
import type { Model, StepResult } from './model.ts';

export type RegisterInput =
  | { readonly kind: 'read' }
  | { readonly kind: 'write'; readonly value: string }
  | { readonly kind: 'cas'; readonly expected: string | null; readonly value: string };

export type RegisterOutput =
  | { readonly kind: 'read'; readonly value: string | null }
  | { readonly kind: 'write' }
  | { readonly kind: 'cas'; readonly swapped: boolean };

export type RegisterState = string | null;

export type RegisterOperation = Operation<RegisterInput, RegisterOutput>;

/** Distinct from every string's hash in practice; null is "never written". */
const NULL_HASH = 0x5bd1e995;

function registerStep(
  state: RegisterState,
  input: RegisterInput,
  output: RegisterOutput | Unknown,
): StepResult<RegisterState> {
  assert(output === UNKNOWN || output.kind === input.kind, () => `register: ${input.kind} answered with ${JSON.stringify(output)}`);
  switch (input.kind) {
    case 'read':
      return { ok: output === UNKNOWN || (output.kind === 'read' && output.value === state), state };
    case 'write':
      return { ok: true, state: input.value };
    case 'cas': {
      const swaps = state === input.expected;
      const ok = output === UNKNOWN || (output.kind === 'cas' && output.swapped === swaps);
      return { ok, state: swaps ? input.value : state };
    }
  }
}

function show(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

export function describeRegisterOperation(input: RegisterInput, output: RegisterOutput | Unknown): string {
  const call =
    input.kind === 'read' ? 'read()'
    : input.kind === 'write' ? `write(${show(input.value)})`
    : `cas(${show(input.expected)} -> ${show(input.value)})`;
  if (output === UNKNOWN) return `${call} -> ? (unknown outcome)`;
  if (output.kind === 'read') return `${call} -> ${show(output.value)}`;
  if (output.kind === 'cas') return `${call} -> ${output.swapped ? 'swapped' : 'not swapped'}`;
  return `${call} -> ok`;
}

export const registerModel: Model<RegisterState, RegisterInput, RegisterOutput> = {
  init: () => null,
  step: registerStep,
  equal: (a, b) => a === b,
  hash: (state) => (state === null ? NULL_HASH : hashString(state)),
  describeOperation: describeRegisterOperation,
  describeState: show,
};
