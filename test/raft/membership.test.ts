import { describe, expect, it } from 'vitest';
import { applyMembershipChange } from '../../raft/membership.ts';
import { jointValue, jointVote } from '../../raft/quorum.ts';
import { Network, drain, makeLeader, ofType, singleCore, voters } from './helpers.ts';

const empty = { voters: [], learners: [], votersOutgoing: [] };

function membershipEntries(net: Network, id: string) {
  return net.node(id).storage.entries.filter((e) => e.type === 'membership');
}

describe('membership changes (§6, joint consensus)', () => {
  it('a voter change yields C(old,new); a learner-only change needs no joint phase', () => {
    const current = voters('n1', 'n2', 'n3');
    expect(applyMembershipChange(current, { steps: [{ type: 'add-voter', id: 'n4' }] })).toEqual({
      ok: true,
      membership: { voters: ['n1', 'n2', 'n3', 'n4'], learners: [], votersOutgoing: ['n1', 'n2', 'n3'] },
    });
    expect(applyMembershipChange(current, { steps: [{ type: 'add-learner', id: 'n4' }] })).toEqual({
      ok: true,
      membership: { voters: ['n1', 'n2', 'n3'], learners: ['n4'], votersOutgoing: [] },
    });
  });

  it('joint consensus needs a majority of both voter sets to commit and to elect', () => {
    const joint = { voters: ['n1', 'n4', 'n5'], learners: [], votersOutgoing: ['n1', 'n2', 'n3'] };
    const match: Record<string, number> = { n1: 9, n2: 9, n3: 9, n4: 1, n5: 1 };
    expect(jointValue(joint, (id) => match[id] ?? 0)).toBe(1);
    match['n4'] = 9;
    expect(jointValue(joint, (id) => match[id] ?? 0)).toBe(9);
    // The new voters alone are not enough either: the old set needs its own majority.
    match['n2'] = 1;
    match['n3'] = 1;
    expect(jointValue(joint, (id) => match[id] ?? 0)).toBe(1);
    const votes = new Map([['n1', true], ['n2', true], ['n3', true]]);
    expect(jointVote(joint, votes)).toBe('pending');
    votes.set('n5', true);
    expect(jointVote(joint, votes)).toBe('won');
  });

  it('adding a voter goes through C(old,new) and the leader appends C(new) by itself', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.add('n4', empty);
    const result = net.core('n1').proposeMembershipChange({ steps: [{ type: 'add-voter', id: 'n4' }] });
    expect(result.ok).toBe(true);
    // Takes effect on append, before commit.
    expect(net.core('n1').status().membership.votersOutgoing).toEqual(['n1', 'n2', 'n3']);
    net.stabilize();
    const leaderMemberships = membershipEntries(net, 'n1');
    expect(leaderMemberships.map((e) => e.type === 'membership' && e.membership.votersOutgoing.length)).toEqual([3, 0]);
    for (const id of ['n1', 'n2', 'n3', 'n4']) {
      expect(net.core(id).status().membership).toEqual({ voters: ['n1', 'n2', 'n3', 'n4'], learners: [], votersOutgoing: [] });
    }
    net.propose('n1', 'x');
    net.stabilize();
    expect(net.node('n4').applied).toEqual(['x']);
    net.assertSafety();
  });

  it('the joint entry cannot commit without a majority of the new voters', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.add('n4', empty);
    net.add('n5', empty);
    net.crash('n4');
    net.crash('n5');
    const result = net.core('n1').proposeMembershipChange({
      steps: [
        { type: 'add-voter', id: 'n4' },
        { type: 'add-voter', id: 'n5' },
        { type: 'remove', id: 'n2' },
        { type: 'remove', id: 'n3' },
      ],
    });
    expect(result.ok).toBe(true);
    net.tickAll(5);
    // All old voters hold it, but only n1 of {n1, n4, n5}: not committed.
    expect(net.core('n1').status().commitIndex).toBe(1);
    expect(net.core('n2').status().lastIndex).toBe(2);
    net.restart('n4', empty);
    net.tickAll(5);
    expect(net.core('n1').status().commitIndex).toBeGreaterThanOrEqual(2);
  });

  it('the joint entry cannot commit without a majority of the old voters', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.add('n4', empty);
    net.add('n5', empty);
    net.crash('n2');
    net.crash('n3');
    const steps = [
      { type: 'add-voter', id: 'n4' },
      { type: 'add-voter', id: 'n5' },
      { type: 'remove', id: 'n2' },
      { type: 'remove', id: 'n3' },
    ] as const;
    expect(net.core('n1').proposeMembershipChange({ steps }).ok).toBe(true);
    net.tickAll(5);
    // n1, n4, n5 (all new voters) hold it, but only n1 of the old {n1, n2, n3}.
    expect(net.core('n4').status().lastIndex).toBe(2);
    expect(net.core('n1').status().commitIndex).toBe(1);
  });

  it('a learner receives the log but neither votes nor counts toward commit', () => {
    const membership = { voters: ['n1', 'n2', 'n3'], learners: ['n4'], votersOutgoing: [] };
    const net = new Network(['n1', 'n2', 'n3', 'n4'], { membership });
    net.elect('n1');
    net.propose('n1', 'a');
    net.stabilize();
    expect(net.node('n4').applied).toEqual(['a']);
    net.crash('n2');
    net.crash('n3');
    net.propose('n1', 'b');
    net.tickAll(3);
    expect(net.core('n4').status().lastIndex).toBe(3);
    expect(net.core('n1').status().commitIndex).toBe(2);
    expect(ofType(net.sent, 'pre-vote').some((m) => m.to === 'n4')).toBe(false);
    // A learner is not asked to vote and never campaigns even when the leader is gone.
    net.crash('n1');
    net.tickAll(60);
    expect(net.core('n4').status().role).toBe('follower');
  });

  it('promote-learner turns a caught-up learner into a voter', () => {
    const membership = { voters: ['n1', 'n2', 'n3'], learners: ['n4'], votersOutgoing: [] };
    const net = new Network(['n1', 'n2', 'n3', 'n4'], { membership });
    net.elect('n1');
    expect(net.core('n1').proposeMembershipChange({ steps: [{ type: 'promote-learner', id: 'n4' }] }).ok).toBe(true);
    net.stabilize();
    expect(net.core('n4').status().membership).toEqual({ voters: ['n1', 'n2', 'n3', 'n4'], learners: [], votersOutgoing: [] });
  });

  it('refuses a second change while one is pending, and invalid changes', () => {
    const core = singleCore('n1', voters('n1', 'n2', 'n3'));
    makeLeader(core, ['n2']);
    const propose = (steps: Parameters<typeof core.proposeMembershipChange>[0]['steps']) => core.proposeMembershipChange({ steps });
    expect(propose([{ type: 'remove', id: 'n9' }])).toMatchObject({ ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE' } });
    expect(propose([{ type: 'add-voter', id: 'n2' }])).toMatchObject({ ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE' } });
    expect(propose([{ type: 'promote-learner', id: 'n3' }])).toMatchObject({ ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE' } });
    expect(propose([])).toMatchObject({ ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE' } });
    expect(
      propose([
        { type: 'remove', id: 'n1' },
        { type: 'remove', id: 'n2' },
        { type: 'remove', id: 'n3' },
      ]),
    ).toMatchObject({ ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE', reason: 'the last voter cannot be removed' } });
    expect(propose([{ type: 'add-learner', id: 'n4' }]).ok).toBe(true);
    expect(propose([{ type: 'add-voter', id: 'n5' }])).toEqual({ ok: false, refusal: { code: 'RAFT_MEMBERSHIP_CHANGE_PENDING' } });
    drain(core);
    core.step({ type: 'append-response', from: 'n2', to: 'n1', term: 1, success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 });
    // The learner entry committed: the next change is accepted (and makes the cluster joint).
    expect(propose([{ type: 'add-voter', id: 'n5' }]).ok).toBe(true);
    expect(propose([{ type: 'remove', id: 'n5' }])).toEqual({ ok: false, refusal: { code: 'RAFT_MEMBERSHIP_CHANGE_PENDING' } });
  });

  it('removing the leader: it replicates until C(new) commits, then steps down and the rest elect a leader', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    expect(net.core('n1').proposeMembershipChange({ steps: [{ type: 'remove', id: 'n1' }] }).ok).toBe(true);
    net.stabilize();
    expect(net.core('n1').status().role).toBe('follower');
    // It handed over with TimeoutNow: a new leader exists without waiting for an election timeout.
    expect(ofType(net.sent, 'timeout-now')).toHaveLength(1);
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe('n1');
    net.propose(leaders[0] ?? '', 'after');
    net.stabilize();
    expect(net.node('n2').applied).toEqual(['after']);
    // The removed node never campaigns.
    net.tickAll(100);
    expect(net.core('n1').status().role).toBe('follower');
    expect(net.leaders()).toEqual(leaders);
  });

  it('a removed node that missed its removal does not disrupt the cluster', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n3');
    expect(net.core('n1').proposeMembershipChange({ steps: [{ type: 'remove', id: 'n3' }] }).ok).toBe(true);
    net.tickAll(5);
    expect(net.core('n1').status().membership).toEqual({ voters: ['n1', 'n2'], learners: [], votersOutgoing: [] });
    net.heal();
    // n3 still believes it is a voter of {n1,n2,n3}; it campaigns, but nobody follows it.
    net.dropRules.push((m) => m.from === 'n1' && m.to === 'n3');
    net.tickAll(100);
    expect(net.leaders()).toEqual(['n1']);
    expect(net.core('n1').status().term).toBe(1);
    expect(net.core('n2').status().term).toBe(1);
  });

  it('a joining node with an empty membership waits for the leader and catches up', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    for (let i = 0; i < 5; i += 1) net.propose('n1', `v${i}`);
    net.stabilize();
    net.add('n4', empty);
    net.tickAll(50);
    expect(net.core('n4').status()).toMatchObject({ role: 'follower', term: 0, lastIndex: 0 });
    net.core('n1').proposeMembershipChange({ steps: [{ type: 'add-learner', id: 'n4' }] });
    net.tickAll(3);
    expect(net.node('n4').applied).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    net.core('n1').proposeMembershipChange({ steps: [{ type: 'promote-learner', id: 'n4' }] });
    net.tickAll(3);
    net.crash('n1');
    net.crash('n2');
    net.tickAll(3);
    net.restart('n2');
    net.tickAll(60);
    // n4 is a full voter now: with n2 and n3 it can elect a leader while n1 is down.
    expect(net.leaders()).toHaveLength(1);
    net.assertSafety();
  });

  it('a truncated membership entry stops taking effect', () => {
    const core = singleCore('n2', voters('n1', 'n2', 'n3'));
    const joint = { voters: ['n1', 'n2', 'n3', 'n4'], learners: [], votersOutgoing: ['n1', 'n2', 'n3'] };
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: [{ type: 'noop', term: 1, index: 1 }, { type: 'membership', term: 1, index: 2, membership: joint }], commitIndex: 1 });
    expect(core.status().membership).toEqual(joint);
    core.step({ type: 'append', from: 'n3', to: 'n2', term: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [{ type: 'noop', term: 2, index: 2 }], commitIndex: 1 });
    expect(core.status().membership).toEqual(voters('n1', 'n2', 'n3'));
  });
});
