import { assert } from '../common/index.ts';
import type { Revision } from './keys.ts';

/** One write to a key, as the in-memory index remembers it (everything but the value). */
export interface IndexEntry {
  readonly main: number;
  readonly sub: number;
  readonly tombstone: boolean;
  /** For a tombstone these three are 0. */
  readonly createRevision: number;
  readonly version: number;
  readonly lease: number;
}

function before(entry: IndexEntry, main: number, sub: number): boolean {
  return entry.main < main || (entry.main === main && entry.sub < sub);
}

/**
 * The retained writes of one key, oldest first (etcd's keyIndex, flattened: a tombstone ends a
 * generation, the next put starts one). Pure data structure; the store decides what is committed.
 */
export class KeyHistory {
  private entries: IndexEntry[] = [];

  get length(): number {
    return this.entries.length;
  }

  latest(): IndexEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  append(entry: IndexEntry): void {
    const last = this.latest();
    assert(last === undefined || before(last, entry.main, entry.sub), () => `key history out of order at ${entry.main}.${entry.sub}`);
    this.entries.push(entry);
  }

  /** The last write at or before `revision` (main), or undefined. */
  at(revision: number): IndexEntry | undefined {
    return this.entries[this.countBefore(revision + 1, 0) - 1];
  }

  /** The live (non-tombstone) state at `revision`, or undefined if absent then. */
  liveAt(revision: number): IndexEntry | undefined {
    const entry = this.at(revision);
    return entry === undefined || entry.tombstone ? undefined : entry;
  }

  /** The write just before (main, sub), for a watch event's prevKv. */
  previous(main: number, sub: number): IndexEntry | undefined {
    return this.entries[this.countBefore(main, sub) - 1];
  }

  /**
   * Forgets writes superseded at `compactRevision`: of the writes at or before it only the last is
   * kept, and not even that one if it is a tombstone. Returns the forgotten revisions.
   */
  compact(compactRevision: number): Revision[] {
    const atOrBefore = this.countBefore(compactRevision + 1, 0);
    if (atOrBefore === 0) return [];
    const keepLast = this.entries[atOrBefore - 1]?.tombstone === false;
    const dropCount = keepLast ? atOrBefore - 1 : atOrBefore;
    if (dropCount === 0) return [];
    const dropped = this.entries.slice(0, dropCount).map(({ main, sub }) => ({ main, sub }));
    this.entries = this.entries.slice(dropCount);
    return dropped;
  }

  /** Number of entries strictly before (main, sub). */
  private countBefore(main: number, sub: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const entry = this.entries[middle];
      assert(entry !== undefined, 'index in bounds');
      if (before(entry, main, sub)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
