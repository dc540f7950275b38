import { describe, expect, it } from 'vitest';
import { SafetyChecker, SimViolation } from '../../chaos/sim/checkers.ts';
import { checkClientHistory } from '../../chaos/sim/history-check.ts';
import { LogMirror } from '../../chaos/sim/log-mirror.ts';
import { checkCommitSurvivesElections, type LogTip, type MemberLogView } from '../../chaos/sim/election-safety.ts';
import type { KvOperation } from '../../chaos/linearizability/index.ts';

function violation(action: () => void): SimViolation {
  try {
    action();
  } catch (error) {
    if (error instanceof SimViolation) return error;
    throw error;
  }
  throw new Error('expected a violation, the checker accepted the observation');
}

describe('safety checkers bite on hand-crafted bad observations', () => {
  it('two leaders in one term', () => {
    const checker = new SafetyChecker();
    checker.observeRole('n1', 3, true);
    checker.observeRole('n1', 3, true); // the same leader seen again is fine
    checker.observeRole('n2', 4, true);
    expect(violation(() => checker.observeRole('n2', 3, true)).property).toBe('election safety');
  });

  it('a divergent applied entry at one index', () => {
    const checker = new SafetyChecker();
    checker.observeApplied('n1', 1, 111);
    checker.observeApplied('n2', 1, 111);
    checker.observeApplied('n1', 2, 222);
    expect(violation(() => checker.observeApplied('n3', 2, 999)).property).toBe('state machine safety');
  });

  it('a commit index that decreases within one incarnation', () => {
    const checker = new SafetyChecker();
    checker.observeCommitIndex('n1', 1, 5);
    checker.observeCommitIndex('n1', 1, 7);
    expect(violation(() => checker.observeCommitIndex('n1', 1, 6)).property).toBe('commit monotonicity');
  });

  it('a restart may fall back to the persisted commit index, never below it', () => {
    const checker = new SafetyChecker();
    checker.observeCommitIndex('n1', 1, 9);
    checker.observeRestart('n1', 2, 6, 6); // 7..9 were never persisted: allowed
    checker.observeCommitIndex('n1', 2, 6);
    expect(violation(() => checker.observeRestart('n1', 3, 6, 4)).property).toBe('commit monotonicity');
  });

  it('log matching: same index and term, different entries or predecessors', () => {
    const checker = new SafetyChecker();
    checker.observeAppend('n1', 1, 1, 10, 0);
    checker.observeAppend('n1', 2, 1, 20, 1);
    checker.observeAppend('n2', 2, 1, 20, 1);
    expect(violation(() => checker.observeAppend('n3', 2, 1, 21, 1)).property).toBe('log matching');
    expect(violation(() => checker.observeAppend('n3', 2, 1, 20, 0)).property).toBe('log matching');
    expect(violation(() => checker.observeAppend('n3', 5, 1, 50, undefined)).property).toBe('log matching');
  });

  it('a committed entry that changes', () => {
    const checker = new SafetyChecker();
    checker.observeCommitted('n1', 1, 1, 10);
    checker.observeCommitted('n2', 1, 1, 10);
    expect(violation(() => checker.observeCommitted('n3', 1, 2, 10)).property).toBe('committed entry changed');
  });

  it('leader completeness: a new leader missing an entry committed in an earlier term', () => {
    const checker = new SafetyChecker();
    checker.observeRole('n1', 1, true);
    checker.observeCommitted('n1', 1, 1, 10);
    checker.observeCommitted('n1', 2, 1, 20);
    const complete = new Map([[1, 1], [2, 1], [3, 2]]);
    checker.checkLeaderCompleteness('n2', 2, 0, (index) => complete.get(index));
    const missing = new Map([[1, 1]]);
    expect(violation(() => checker.checkLeaderCompleteness('n3', 3, 0, (index) => missing.get(index))).property).toBe('leader completeness');
    // Entries covered by the leader's snapshot count as held.
    checker.checkLeaderCompleteness('n3', 3, 2, () => undefined);
  });

  it('log mirror reports a gap to the log-matching check', () => {
    const checker = new SafetyChecker();
    const mirror = new LogMirror();
    const entry = (index: number, term: number) => ({ type: 'noop' as const, index, term });
    mirror.append([entry(1, 1), entry(2, 1)], (e, hash, prev) => checker.observeAppend('n1', e.index, e.term, hash, prev));
    expect(mirror.lastIndex).toBe(2);
    expect(violation(() => mirror.append([entry(4, 1)], (e, hash, prev) => checker.observeAppend('n1', e.index, e.term, hash, prev))).property).toBe('log matching');
  });

  it('the client-history check rejects a stale read', () => {
    const history: KvOperation[] = [
      { clientId: 'c1', input: { kind: 'put', key: 'k', value: 'a' }, output: { kind: 'put' }, callMs: 0, returnMs: 1 },
      { clientId: 'c2', input: { kind: 'put', key: 'k', value: 'b' }, output: { kind: 'put' }, callMs: 2, returnMs: 3 },
      { clientId: 'c3', input: { kind: 'get', key: 'k' }, output: { kind: 'get', value: 'a' }, callMs: 4, returnMs: 5 },
    ];
    expect(checkClientHistory(history).outcome).toBe('illegal');
    expect(checkClientHistory(history.slice(0, 2)).outcome).toBe('ok');
  });
});

describe('a committed entry must survive every election (figure 8, checked at commit time)', () => {
  const three = { voters: ['n1', 'n2', 'n3'], learners: [], votersOutgoing: [] };
  /** A member whose log holds entries of the given terms at indexes 1, 2, …, all durable. */
  function member(id: string, terms: readonly number[], durableTerms: readonly number[] = terms): MemberLogView {
    const tip = (list: readonly number[]): LogTip => ({ index: list.length, term: list[list.length - 1] ?? 0 });
    return { id, membership: three, campaignTip: tip(terms), voterTip: tip(durableTerms), holds: (index, term) => terms[index - 1] === term };
  }

  it('accepts a current-term commit on a majority, even with a divergent minority', () => {
    // n1 leads term 4 and committed its no-op at index 3 with n2; n3 holds a stale term-3 entry at 2.
    const leader = member('n1', [1, 2, 4]);
    expect(() => checkCommitSurvivesElections(leader, 3, 4, [leader, member('n2', [1, 2, 4]), member('n3', [1, 3])])).not.toThrow();
  });

  it('rejects an older-term entry committed by counting while a later-term log can still win (figure 8 d)', () => {
    // n1 (term 4) counted n2's copy of its term-2 entry at index 2; n3 holds a term-3 entry there.
    const leader = member('n1', [1, 2, 4]);
    const error = violation(() => checkCommitSurvivesElections(leader, 2, 2, [leader, member('n2', [1, 2]), member('n3', [1, 3])]));
    expect(error.property).toBe('commit survives elections');
    expect(error.message).toContain('n3 lacks it and could be elected by n2, n3');
  });

  it('judges voters by their disk: an acknowledgement is only as good as what was synced', () => {
    // n2 holds index 3 in memory only: after a crash it would vote for n3's shorter log.
    const leader = member('n1', [1, 1, 1]);
    const unsynced = member('n2', [1, 1, 1], [1, 1]);
    expect(violation(() => checkCommitSurvivesElections(leader, 3, 1, [leader, unsynced, member('n3', [1, 1])])).property).toBe('commit survives elections');
  });

  it('skips joint memberships and candidates under another membership', () => {
    const joint = { voters: ['n1', 'n2', 'n3'], learners: [], votersOutgoing: ['n1', 'n2', 'n4'] };
    const leader = { ...member('n1', [1, 2, 4]), membership: joint };
    expect(() => checkCommitSurvivesElections(leader, 2, 2, [leader, member('n2', [1, 2]), member('n3', [1, 3])])).not.toThrow();
    const other = { ...member('n3', [1, 3]), membership: { voters: ['n3', 'n4', 'n5'], learners: [], votersOutgoing: [] } };
    const plain = member('n1', [1, 2, 4]);
    expect(() => checkCommitSurvivesElections(plain, 2, 2, [plain, member('n2', [1, 2]), other])).not.toThrow();
  });
});
