import { assert } from '../common/index.ts';
import type { Entry } from './types.ts';

/** Framing cost counted per entry, so that empty entries still weigh something in byte limits. */
export const entryOverheadBytes = 16;

export function entryBytes(entry: Entry): number {
  return entryOverheadBytes + (entry.type === 'normal' ? entry.data.byteLength : 0);
}

/** Fast-backtracking hint a follower returns when it rejects an append (see `RaftLog.conflictHint`). */
export interface ConflictHint {
  readonly conflictIndex: number;
  readonly conflictTerm: number;
}

/**
 * The in-memory log: every entry after `baseIndex` (the last compacted entry, whose term is kept),
 * the commit and applied indexes, and which suffix has not yet been handed to the driver to persist.
 * The whole unsnapshotted log fits in memory because snapshots bound it.
 */
export class RaftLog {
  private entries: Entry[];
  private base: number;
  private baseTermValue: number;
  committed: number;
  applied: number;
  /** First index not yet persisted by the driver (handed in a Ready and advanced). */
  private unstableFrom: number;

  constructor(baseIndex: number, baseTerm: number, entries: readonly Entry[], committed: number) {
    this.base = baseIndex;
    this.baseTermValue = baseTerm;
    // A driver may keep entries at or below the snapshot: they are covered by it.
    this.entries = entries.filter((entry) => entry.index > baseIndex);
    this.entries.forEach((entry, offset) => {
      assert(entry.index === baseIndex + offset + 1, () => `restored entry ${entry.index} is not contiguous after ${baseIndex + offset}`);
    });
    this.committed = Math.max(baseIndex, Math.min(committed, baseIndex + this.entries.length));
    this.applied = baseIndex;
    this.unstableFrom = this.lastIndex() + 1;
  }

  get baseIndex(): number {
    return this.base;
  }

  get baseTerm(): number {
    return this.baseTermValue;
  }

  lastIndex(): number {
    return this.base + this.entries.length;
  }

  lastTerm(): number {
    const term = this.term(this.lastIndex());
    assert(term !== undefined, 'the last entry always has a term');
    return term;
  }

  /** The term at `index`, or undefined when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.base) return this.baseTermValue;
    return this.entry(index)?.term;
  }

  entry(index: number): Entry | undefined {
    if (index <= this.base) return undefined;
    return this.entries[index - this.base - 1];
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** §5.4.1: a candidate's log is at least as up to date as ours. */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /** Appends, truncating any suffix from the first new index on. Returns true when it truncated. */
  append(newEntries: readonly Entry[]): boolean {
    const first = newEntries[0];
    if (first === undefined) return false;
    assert(first.index > this.committed, () => `append at ${first.index} would overwrite committed ${this.committed}`);
    assert(first.index <= this.lastIndex() + 1, () => `append at ${first.index} leaves a gap after ${this.lastIndex()}`);
    const truncated = first.index <= this.lastIndex();
    this.entries.length = first.index - this.base - 1;
    for (const entry of newEntries) this.entries.push(entry);
    this.unstableFrom = Math.min(this.unstableFrom, first.index);
    return truncated;
  }

  /** The first new entry whose term differs from ours (0 when all match or are already present). */
  findConflict(newEntries: readonly Entry[]): number {
    for (const entry of newEntries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The follower side of AppendEntries (§5.3): if our log has `prevIndex` at `prevTerm`, keep
   * matching entries, overwrite from the first conflict, and commit up to min(leaderCommit, last new).
   */
  maybeAppend(
    prevIndex: number,
    prevTerm: number,
    leaderCommit: number,
    newEntries: readonly Entry[],
  ): { readonly lastNewIndex: number; readonly truncated: boolean; readonly appended: readonly Entry[] } | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNewIndex = prevIndex + newEntries.length;
    const conflict = this.findConflict(newEntries);
    let truncated = false;
    let appended: readonly Entry[] = [];
    if (conflict !== 0) {
      appended = newEntries.slice(conflict - prevIndex - 1);
      truncated = this.append(appended);
    }
    this.commitTo(Math.min(leaderCommit, lastNewIndex));
    return { lastNewIndex, truncated, appended };
  }

  /** Our term at the rejected index and the first index holding it, or our log end if we are too short. */
  conflictHint(rejectedIndex: number): ConflictHint {
    const term = this.term(rejectedIndex);
    if (rejectedIndex > this.lastIndex() || term === undefined) {
      return { conflictIndex: this.lastIndex() + 1, conflictTerm: 0 };
    }
    let first = rejectedIndex;
    while (first - 1 > this.base && this.term(first - 1) === term) first -= 1;
    return { conflictIndex: first, conflictTerm: term };
  }

  /** The last index holding `term` (0 when we have none in memory). */
  lastIndexOfTerm(term: number): number {
    for (let index = this.lastIndex(); index > this.base; index -= 1) {
      const entryTerm = this.term(index) ?? 0;
      if (entryTerm === term) return index;
      if (entryTerm < term) return 0;
    }
    return 0;
  }

  /** Entries from `from` on, at most `countMax` and `bytesMax` (but at least one when any exists). */
  slice(from: number, countMax: number, bytesMax: number): Entry[] {
    assert(from > this.base, () => `slice from ${from} reaches compacted index ${this.base}`);
    const result: Entry[] = [];
    let bytes = 0;
    for (let index = from; index <= this.lastIndex() && result.length < countMax; index += 1) {
      const entry = this.entry(index);
      assert(entry !== undefined, 'entries are contiguous');
      bytes += entryBytes(entry);
      if (result.length > 0 && bytes > bytesMax) break;
      result.push(entry);
    }
    return result;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    assert(index <= this.lastIndex(), () => `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  appliedTo(index: number): void {
    assert(index <= this.committed, () => `applied ${index} beyond commit ${this.committed}`);
    this.applied = Math.max(this.applied, index);
  }

  /** Committed entries the state machine has not yet been given. */
  nextCommitted(): Entry[] {
    const from = Math.max(this.applied, this.base) + 1;
    return this.entries.slice(from - this.base - 1, this.committed - this.base);
  }

  hasNextCommitted(): boolean {
    return this.committed > Math.max(this.applied, this.base);
  }

  unstableEntries(): Entry[] {
    return this.entries.slice(this.unstableFrom - this.base - 1);
  }

  hasUnstable(): boolean {
    return this.unstableFrom <= this.lastIndex();
  }

  /** The driver persisted up to (index, term); a truncation since then keeps the rest unstable. */
  stableTo(index: number, term: number): void {
    if (this.matchTerm(index, term)) this.unstableFrom = Math.max(this.unstableFrom, index + 1);
  }

  /** Drops entries up to `newBase` (which must be applied). */
  compactTo(newBase: number): void {
    if (newBase <= this.base) return;
    assert(newBase <= this.applied, () => `compacting ${newBase} beyond applied ${this.applied}`);
    const term = this.term(newBase);
    assert(term !== undefined, 'compaction point is in the log');
    this.entries = this.entries.slice(newBase - this.base);
    this.base = newBase;
    this.baseTermValue = term;
    this.unstableFrom = Math.max(this.unstableFrom, newBase + 1);
  }

  /** Replaces the whole log by an installed snapshot ending at (index, term). */
  resetToSnapshot(index: number, term: number): void {
    this.entries = [];
    this.base = index;
    this.baseTermValue = term;
    this.committed = index;
    this.applied = index;
    this.unstableFrom = index + 1;
  }

  /** For invariant checks: the raw entries and the unstable mark. */
  inspect(): { readonly entries: readonly Entry[]; readonly unstableFrom: number } {
    return { entries: this.entries, unstableFrom: this.unstableFrom };
  }
}
