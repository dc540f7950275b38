/**
 * The entry point: validate, partition, search each partition under one shared budget, and turn
 * the first failure into an explanation.
 */
import { assert } from '../../common/index.ts';
import { Budget, type BudgetOptions, type ExhaustedBy } from './budget.ts';
import { explainFailure, type IllegalExplanation } from './explain.ts';
import { validateHistory, type History, type Operation } from './history.ts';
import type { Model } from './model.ts';
import { searchPartition } from './search.ts';

export type CheckOptions = BudgetOptions;

interface CheckStats {
  /** Search nodes explored, across all partitions. */
  readonly exploredStates: number;
  readonly partitions: number;
}

export type CheckResult<State> =
  | (CheckStats & {
      readonly outcome: 'ok';
      /** Per partition, history indices in a valid linearization order (unplaced unknown-outcome ops omitted). */
      readonly linearizations: readonly (readonly number[])[];
    })
  | (CheckStats & { readonly outcome: 'illegal'; readonly explanation: IllegalExplanation<State> })
  | (CheckStats & { readonly outcome: 'unknown-timeout'; readonly exhaustedBy: ExhaustedBy });

export function checkLinearizability<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
  options: CheckOptions = {},
): CheckResult<State> {
  validateHistory(history);
  const budget = new Budget(options);
  const partitions = partitionIndices(model, history);
  // Small partitions first: a violation in a cheap one is found before an expensive one eats the budget.
  const order = partitions.map((_, i) => i).sort((a, b) => (partitions[a]?.length ?? 0) - (partitions[b]?.length ?? 0));
  const linearizations: number[][] = partitions.map(() => []);
  const stats = (): CheckStats => ({ exploredStates: budget.exploredStates, partitions: partitions.length });
  for (const partitionIndex of order) {
    const indices = partitions[partitionIndex] ?? [];
    const ops = indices.map((i) => history[i]).filter((op): op is Operation<Input, Output> => op !== undefined);
    const outcome = searchPartition(model, ops, budget);
    if (outcome.kind === 'timeout') {
      return { ...stats(), outcome: 'unknown-timeout', exhaustedBy: budget.exhausted ?? 'max-states' };
    }
    if (outcome.kind === 'illegal') {
      const explanation = explainFailure(model, history, partitionIndex, indices, outcome.deepest);
      return { ...stats(), outcome: 'illegal', explanation };
    }
    linearizations[partitionIndex] = outcome.order.map((local) => indices[local] ?? -1);
  }
  return { ...stats(), outcome: 'ok', linearizations };
}

/** The model's partitions as history indices, checked to cover every operation exactly once. */
function partitionIndices<State, Input, Output>(
  model: Model<State, Input, Output>,
  history: History<Input, Output>,
): number[][] {
  if (model.partition === undefined) return history.length === 0 ? [] : [history.map((_, i) => i)];
  const indexOf = new Map<Operation<Input, Output>, number>();
  history.forEach((op, i) => {
    assert(!indexOf.has(op), () => `operation ${i}: the same object appears twice in the history`);
    indexOf.set(op, i);
  });
  const placed = new Uint8Array(history.length);
  const partitions = model.partition(history).map((part) =>
    part.map((op) => {
      const index = indexOf.get(op);
      assert(index !== undefined, 'partition returned an operation that is not in the history');
      assert(placed[index] === 0, () => `partition placed operation ${index} twice`);
      placed[index] = 1;
      return index;
    }),
  );
  assert(placed.every((flag) => flag === 1), 'partition left some operations out');
  return partitions.filter((part) => part.length > 0);
}
