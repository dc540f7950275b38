/**
 * Records a history as clients run: note the call, then the return. An operation that never
 * returns (timeout, lost connection, crashed client) stays open and becomes an unknown outcome,
 * which is the honest record: it may have taken effect.
 */
import { assert } from '../../common/index.ts';
import type { Clock } from '../../common/index.ts';
import { UNKNOWN, type Operation } from './history.ts';

export type OperationHandle = number;

interface Pending<Input, Output> {
  clientId: number | string;
  input: Input;
  callMs: number;
  output?: { readonly value: Output; readonly returnMs: number };
  /** Known not to have taken effect (for example rejected before it was proposed): left out. */
  discarded: boolean;
}

export class HistoryRecorder<Input, Output> {
  private readonly operations: Pending<Input, Output>[] = [];

  constructor(private readonly clock: Clock) {}

  invoke(clientId: number | string, input: Input): OperationHandle {
    this.operations.push({ clientId, input, callMs: this.clock.nowMs(), discarded: false });
    return this.operations.length - 1;
  }

  complete(handle: OperationHandle, output: Output): void {
    const op = this.open(handle);
    op.output = { value: output, returnMs: this.clock.nowMs() };
  }

  /** Only for an operation certain not to have happened; a timeout is not that certainty. */
  discard(handle: OperationHandle): void {
    this.open(handle).discarded = true;
  }

  /** Everything so far; still-open operations appear as unknown outcomes. */
  history(): Operation<Input, Output>[] {
    return this.operations
      .filter((op) => !op.discarded)
      .map((op) => ({
        clientId: op.clientId,
        input: op.input,
        output: op.output === undefined ? UNKNOWN : op.output.value,
        callMs: op.callMs,
        returnMs: op.output === undefined ? Number.POSITIVE_INFINITY : op.output.returnMs,
      }));
  }

  private open(handle: OperationHandle): Pending<Input, Output> {
    const op = this.operations[handle];
    assert(op !== undefined, () => `unknown operation handle ${handle}`);
    assert(op.output === undefined && !op.discarded, () => `operation ${handle} already finished`);
    return op;
  }
}
