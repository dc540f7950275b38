import type { Entry } from '../../raft/index.ts';
import { hashBytes } from './trace.ts';

/** What identifies an entry's content (its index and term are kept beside it). */
export function entryHash(entry: Entry): number {
  switch (entry.type) {
    case 'normal':
      return hashBytes(entry.data, 0x1234567);
    case 'noop':
      return 0x0badf00d;
    case 'membership': {
      const m = entry.membership;
      return hashBytes(new TextEncoder().encode(`${m.voters.join(',')}|${m.learners.join(',')}|${m.votersOutgoing.join(',')}`));
    }
  }
}

/**
 * The simulator's view of one member's log (terms and content hashes by index), rebuilt from
 * the `Ready.entries` it persists. The core exposes no log accessor, and the checkers must not
 * rely on the core to tell the truth about itself.
 */
export class LogMirror {
  private snapshotIndexValue = 0;
  private snapshotTermValue = 0;
  private terms: number[] = [];
  private hashes: number[] = [];

  get snapshotIndex(): number {
    return this.snapshotIndexValue;
  }

  get lastIndex(): number {
    return this.snapshotIndexValue + this.terms.length;
  }

  termAt(index: number): number | undefined {
    if (index === this.snapshotIndexValue) return this.snapshotTermValue;
    return this.terms[index - this.snapshotIndexValue - 1];
  }

  hashAt(index: number): number | undefined {
    return this.hashes[index - this.snapshotIndexValue - 1];
  }

  /**
   * Appends, overwriting from the first entry's index; calls `onAppend` with each entry's
   * predecessor term (undefined when the entry does not connect to the log: a gap).
   */
  append(entries: readonly Entry[], onAppend: (entry: Entry, hash: number, prevTerm: number | undefined) => void): void {
    for (const entry of entries) {
      if (entry.index <= this.snapshotIndexValue) continue;
      const offset = entry.index - this.snapshotIndexValue - 1;
      const prevTerm = offset <= this.terms.length ? this.termAt(entry.index - 1) : undefined;
      const hash = entryHash(entry);
      onAppend(entry, hash, prevTerm);
      if (offset > this.terms.length) continue;
      this.terms.length = offset;
      this.hashes.length = offset;
      this.terms.push(entry.term);
      this.hashes.push(hash);
    }
  }

  /** An installed snapshot: the suffix survives only if it continues the snapshot (Raft §7). */
  installSnapshot(index: number, term: number): void {
    const continues = this.termAt(index) === term && index <= this.lastIndex;
    this.resetTo(index, term, continues);
  }

  /** A snapshot taken locally: the covered prefix goes, the rest stays. */
  compact(index: number, term: number): void {
    if (index <= this.snapshotIndexValue) return;
    this.resetTo(index, term, true);
  }

  private resetTo(index: number, term: number, keepSuffix: boolean): void {
    const drop = index - this.snapshotIndexValue;
    if (keepSuffix && drop >= 0) {
      this.terms = this.terms.slice(drop);
      this.hashes = this.hashes.slice(drop);
    } else {
      this.terms = [];
      this.hashes = [];
    }
    this.snapshotIndexValue = index;
    this.snapshotTermValue = term;
  }

  /** Rebuilds from what a restarted member finds on its disk. */
  static fromRestore(snapshotIndex: number, snapshotTerm: number, entries: readonly Entry[]): LogMirror {
    const mirror = new LogMirror();
    mirror.snapshotIndexValue = snapshotIndex;
    mirror.snapshotTermValue = snapshotTerm;
    mirror.append(entries, () => undefined);
    return mirror;
  }
}
