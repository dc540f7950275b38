import { describe, expect, it } from 'vitest';
import { bytes, makeLeader, singleCore, voters } from './helpers.ts';

describe('proposal refusals', () => {
  it('a follower refuses with RAFT_NOT_LEADER and a leader hint', () => {
    const core = singleCore('n2', voters('n1', 'n2', 'n3'));
    expect(core.propose(bytes('x'))).toEqual({ ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: null } });
    core.step({ type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commitIndex: 0, readContext: 1 });
    expect(core.propose(bytes('x'))).toEqual({ ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: 'n1' } });
    expect(core.proposeMembershipChange({ steps: [{ type: 'add-voter', id: 'n4' }] })).toEqual({
      ok: false,
      refusal: { code: 'RAFT_NOT_LEADER', leaderHint: 'n1' },
    });
  });

  it('a proposal over proposalBytesMax is refused with RAFT_PROPOSAL_TOO_LARGE', () => {
    const core = singleCore('n1', voters('n1', 'n2', 'n3'), { options: { proposalBytesMax: 100 } });
    makeLeader(core, ['n2']);
    expect(core.propose(new Uint8Array(100)).ok).toBe(true);
    expect(core.propose(new Uint8Array(101))).toEqual({
      ok: false,
      refusal: { code: 'RAFT_PROPOSAL_TOO_LARGE', sizeBytes: 101, limitBytes: 100 },
    });
  });

  it('uncommitted bytes over uncommittedBytesMax are refused with RAFT_UNCOMMITTED_LIMIT until entries commit', () => {
    const core = singleCore('n1', voters('n1', 'n2', 'n3'), { options: { uncommittedBytesMax: 250 } });
    makeLeader(core, ['n2']);
    expect(core.propose(new Uint8Array(100))).toMatchObject({ ok: true, index: 2 });
    expect(core.propose(new Uint8Array(100))).toMatchObject({ ok: true, index: 3 });
    expect(core.propose(new Uint8Array(100))).toEqual({
      ok: false,
      refusal: { code: 'RAFT_UNCOMMITTED_LIMIT', uncommittedBytes: 200, limitBytes: 250 },
    });
    core.step({ type: 'append-response', from: 'n2', to: 'n1', term: 1, success: true, matchIndex: 3, conflictIndex: 0, conflictTerm: 0 });
    expect(core.propose(new Uint8Array(100)).ok).toBe(true);
  });

  it('a lone proposal larger than the uncommitted limit is still accepted (no deadlock)', () => {
    const core = singleCore('n1', voters('n1', 'n2', 'n3'), { options: { uncommittedBytesMax: 50 } });
    makeLeader(core, ['n2']);
    expect(core.propose(new Uint8Array(80)).ok).toBe(true);
    expect(core.propose(new Uint8Array(1))).toMatchObject({ ok: false, refusal: { code: 'RAFT_UNCOMMITTED_LIMIT' } });
  });
});
