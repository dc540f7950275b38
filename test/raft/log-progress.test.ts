import { describe, expect, it } from 'vitest';
import { RaftLog } from '../../raft/log.ts';
import { Progress } from '../../raft/progress.ts';
import { majorityValue, majorityVote } from '../../raft/quorum.ts';
import { entriesWithTerms } from './helpers.ts';

describe('RaftLog', () => {
  it('tracks the unstable suffix until the driver persisted it, also across truncation', () => {
    const log = new RaftLog(0, 0, entriesWithTerms([1, 1]), 0);
    expect(log.hasUnstable()).toBe(false);
    log.append(entriesWithTerms([1, 2], 3));
    expect(log.unstableEntries().map((e) => e.index)).toEqual([3, 4]);
    // Truncated after a Ready handed out 3..4 but before advance: 4 stays unstable.
    log.append(entriesWithTerms([3], 4));
    log.stableTo(4, 2);
    expect(log.unstableEntries().map((e) => [e.index, e.term])).toEqual([
      [3, 1],
      [4, 3],
    ]);
    log.stableTo(4, 3);
    expect(log.hasUnstable()).toBe(false);
  });

  it('refuses to overwrite committed entries or leave gaps', () => {
    const log = new RaftLog(0, 0, entriesWithTerms([1, 1, 1]), 2);
    expect(() => log.append(entriesWithTerms([2], 2))).toThrow();
    expect(() => log.append(entriesWithTerms([2], 5))).toThrow();
  });

  it('compacts up to the applied index and keeps the term of the compaction point', () => {
    const log = new RaftLog(0, 0, entriesWithTerms([1, 1, 2, 2]), 4);
    log.appliedTo(3);
    expect(() => log.compactTo(4)).toThrow();
    log.compactTo(3);
    expect(log.term(3)).toBe(2);
    expect(log.term(2)).toBeUndefined();
    expect(log.slice(4, 10, 1000).map((e) => e.index)).toEqual([4]);
  });

  it('slice returns at least one entry even when it exceeds the byte limit', () => {
    const log = new RaftLog(0, 0, entriesWithTerms([1, 1, 1]), 0);
    expect(log.slice(1, 10, 1)).toHaveLength(1);
    expect(log.slice(1, 2, 1_000_000)).toHaveLength(2);
  });
});

describe('Progress', () => {
  it('ignores stale rejections and jumps back to the hint', () => {
    const progress = new Progress(11, 4, 1_000_000);
    progress.probeSent = true;
    expect(progress.maybeDecreaseTo(7, 3)).toBe(false);
    expect(progress.maybeDecreaseTo(10, 4)).toBe(true);
    expect(progress.nextIndex).toBe(4);
    progress.maybeUpdate(5);
    progress.becomeReplicate();
    expect(progress.maybeDecreaseTo(5, 1)).toBe(false);
    expect(progress.maybeDecreaseTo(8, 2)).toBe(true);
    expect(progress).toMatchObject({ state: 'probe', nextIndex: 6 });
  });

  it('pauses a replicating follower when the window is full and resumes on acknowledgement', () => {
    const progress = new Progress(1, 2, 1_000_000);
    progress.becomeReplicate();
    progress.sentEntries(3, 10);
    progress.sentEntries(5, 10);
    expect(progress.isPaused()).toBe(true);
    progress.maybeUpdate(3);
    progress.inflights.freeUpTo(3);
    expect(progress.isPaused()).toBe(false);
    expect(progress.nextIndex).toBe(6);
  });
});

describe('quorum', () => {
  it('computes majority values and votes for odd and even sets', () => {
    expect(majorityValue(['a', 'b', 'c'], (id) => ({ a: 5, b: 3, c: 1 })[id] ?? 0)).toBe(3);
    expect(majorityValue(['a', 'b', 'c', 'd'], (id) => ({ a: 5, b: 4, c: 3, d: 1 })[id] ?? 0)).toBe(3);
    expect(majorityVote(['a', 'b', 'c', 'd'], new Map([['a', true], ['b', true]]))).toBe('pending');
    expect(majorityVote(['a', 'b', 'c', 'd'], new Map([['a', false], ['b', false]]))).toBe('lost');
    expect(majorityVote(['a', 'b', 'c', 'd'], new Map([['a', true], ['b', true], ['c', true]]))).toBe('won');
  });
});
