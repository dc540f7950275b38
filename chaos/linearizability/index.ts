/**
 * Linearizability checking (Wing–Gong–Lowe search with memoization, as in porcupine) for histories
 * recorded against Flotilla's Raft and store. See check.ts for the entry point.
 */
export { checkLinearizability } from './check.ts';
export type { CheckOptions, CheckResult } from './check.ts';
export { DEFAULT_MAX_EXPLORED_STATES } from './budget.ts';
export type { BudgetOptions, ExhaustedBy } from './budget.ts';
export type { IllegalExplanation } from './explain.ts';
export { describeHistoryOp } from './explain.ts';
export { UNKNOWN, isUnknownOutcome, unknownOutcome, validateHistory } from './history.ts';
export type { History, Operation, Unknown } from './history.ts';
export type { Model, StepResult } from './model.ts';
export { kvModel, describeKvOperation } from './kv-model.ts';
export type { KvInput, KvOutput, KvOperation, KvState } from './kv-model.ts';
export { registerModel, describeRegisterOperation } from './register-model.ts';
export type { RegisterInput, RegisterOutput, RegisterOperation, RegisterState } from './register-model.ts';
export { HistoryRecorder } from './recorder.ts';
export type { OperationHandle } from './recorder.ts';
export { generateLinearizableKvHistory, applyKv } from './synthetic.ts';
export type { SyntheticKvOptions } from './synthetic.ts';
