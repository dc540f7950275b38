import { checkLinearizability, kvModel, type KvOperation } from '../linearizability/index.ts';
import { LinearizabilityLimits } from './config.ts';

export type HistoryVerdict =
  | { readonly outcome: 'ok'; readonly operations: number }
  /** The search budget ran out: neither proven nor refuted (counted, not a failure). */
  | { readonly outcome: 'inconclusive'; readonly operations: number }
  | { readonly outcome: 'illegal'; readonly operations: number; readonly explanation: string };

/** The clients' history against the KV model (WGL search, one key at a time), with a fixed budget. */
export function checkClientHistory(history: readonly KvOperation[]): HistoryVerdict {
  const result = checkLinearizability(kvModel, history, { maxStates: LinearizabilityLimits.maxStates });
  const operations = history.length;
  if (result.outcome === 'ok') return { outcome: 'ok', operations };
  if (result.outcome === 'unknown-timeout') return { outcome: 'inconclusive', operations };
  return { outcome: 'illegal', operations, explanation: result.explanation.text };
}
