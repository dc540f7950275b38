import { KeyHistory, type IndexEntry } from './key-history.ts';
import type { KeyInterval, Revision } from './keys.ts';
import { SortedKeys } from './sorted-keys.ts';

/**
 * The in-memory index, key → retained writes, in key order (etcd's treeIndex). It is rebuilt from
 * the revision-keyed history at open, so the history in LevelDB is the only source of truth. It
 * may hold writes of an apply batch that is not yet committed; readers always ask "as of revision
 * R" with R <= the committed revision, so those are invisible to them.
 */
export class TreeIndex {
  private readonly histories = new Map<string, KeyHistory>();
  private readonly keys = new SortedKeys();

  get keyCount(): number {
    return this.histories.size;
  }

  get(key: string): KeyHistory | undefined {
    return this.histories.get(key);
  }

  append(key: string, entry: IndexEntry): void {
    let history = this.histories.get(key);
    if (history === undefined) {
      history = new KeyHistory();
      this.histories.set(key, history);
      this.keys.insert(key);
    }
    history.append(entry);
  }

  /** Keys of the interval that have a history, ascending. Synchronous callers only: no mutation while iterating. */
  *keysIn(interval: KeyInterval): Generator<[string, KeyHistory]> {
    if (interval.single) {
      const history = this.histories.get(interval.start);
      if (history !== undefined) yield [interval.start, history];
      return;
    }
    for (const key of this.keys.range(interval.start, interval.end)) {
      const history = this.histories.get(key);
      if (history !== undefined) yield [key, history];
    }
  }

  /**
   * Compacts at most `keysMax` keys starting at `fromKey` (inclusive), dropping keys left with no
   * history. Returns the forgotten revisions and where to resume (null when done). Resuming by key
   * rather than by position stays correct when applies insert keys between two steps.
   */
  compactStep(compactRevision: number, fromKey: string, keysMax: number): { dropped: Revision[]; nextKey: string | null } {
    const dropped: Revision[] = [];
    const emptied: string[] = [];
    let visited = 0;
    let nextKey: string | null = null;
    for (const key of this.keys.range(fromKey, null)) {
      if (visited === keysMax) {
        nextKey = key;
        break;
      }
      visited++;
      const history = this.histories.get(key);
      if (history === undefined) continue;
      dropped.push(...history.compact(compactRevision));
      if (history.length === 0) emptied.push(key);
    }
    for (const key of emptied) {
      this.histories.delete(key);
      this.keys.delete(key);
    }
    return { dropped, nextKey };
  }
}
