import { emptyHistory, type AutoscalerHistory } from './horizontal-pod-autoscaler-plan.ts';

/** Autoscalers whose history is remembered; beyond it the oldest-touched is forgotten (it restarts from its current count). */
export const autoscalerHistoriesMax = 10_000;

/**
 * Each autoscaler's recent recommendations and scale events, in memory as in Kubernetes' controller
 * (a new leader starts afresh: the first decision seeds the window with the current count). Keyed by
 * namespace/name and remembered with the uid, so a recreated autoscaler does not inherit a history.
 */
export class AutoscalerHistories {
  private readonly entries = new Map<string, { readonly uid: string; readonly history: AutoscalerHistory }>();

  get size(): number {
    return this.entries.size;
  }

  get(key: string, uid: string): AutoscalerHistory {
    const entry = this.entries.get(key);
    return entry === undefined || entry.uid !== uid ? emptyHistory : entry.history;
  }

  set(key: string, uid: string, history: AutoscalerHistory): void {
    // Re-inserting moves the key to the end, so the first key is the least recently decided.
    this.entries.delete(key);
    this.entries.set(key, { uid, history });
    if (this.entries.size > autoscalerHistoriesMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
