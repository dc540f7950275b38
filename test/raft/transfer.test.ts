import { describe, expect, it } from 'vitest';
import { Network, bytes, makeLeader, ofType, singleCore } from './helpers.ts';

describe('leader transfer (thesis §3.10)', () => {
  it('an up-to-date target is sent TimeoutNow and wins the next term without pre-vote', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.propose('n1', 'x');
    net.stabilize();
    const before = net.sent.length;
    expect(net.core('n1').transferLeader('n2')).toEqual({ ok: true });
    net.stabilize();
    expect(net.leaders()).toEqual(['n2']);
    expect(net.core('n2').status().term).toBe(2);
    const after = net.sent.slice(before);
    expect(ofType(after, 'timeout-now').map((m) => m.to)).toEqual(['n2']);
    expect(ofType(after, 'pre-vote')).toHaveLength(0);
    expect(ofType(after, 'vote').every((m) => m.transfer)).toBe(true);
    net.propose('n2', 'y');
    net.stabilize();
    expect(net.node('n1').applied).toEqual(['x', 'y']);
  });

  it('a lagging target is caught up first; proposals are refused meanwhile', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n3');
    for (let i = 0; i < 5; i += 1) net.propose('n1', `v${i}`);
    net.stabilize();
    expect(net.core('n1').transferLeader('n3')).toEqual({ ok: true });
    expect(net.core('n1').propose(bytes('refused'))).toEqual({
      ok: false,
      refusal: { code: 'RAFT_TRANSFER_IN_PROGRESS', transferee: 'n3' },
    });
    expect(net.core('n1').status().transferee).toBe('n3');
    net.stabilize();
    expect(ofType(net.sent, 'timeout-now')).toHaveLength(0);
    net.heal();
    net.tickAll(2);
    expect(net.leaders()).toEqual(['n3']);
    expect(net.node('n3').applied).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('a transfer that does not finish within an election timeout is abandoned', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n3');
    net.propose('n1', 'v');
    net.stabilize();
    net.core('n1').transferLeader('n3');
    net.tickAll(9);
    expect(net.core('n1').status().transferee).toBe('n3');
    net.tickAll(1);
    expect(net.core('n1').status().transferee).toBeNull();
    expect(net.core('n1').status().role).toBe('leader');
    expect(net.propose('n1', 'again').ok).toBe(true);
  });

  it('refuses transfers to non-voters and on followers', () => {
    const core = singleCore('n1', { voters: ['n1', 'n2', 'n3'], learners: ['n4'], votersOutgoing: [] });
    expect(core.transferLeader('n2')).toEqual({ ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: null } });
    makeLeader(core, ['n2']);
    expect(core.transferLeader('n4')).toMatchObject({ ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE' } });
    expect(core.transferLeader('n9')).toMatchObject({ ok: false, refusal: { code: 'RAFT_INVALID_MEMBERSHIP_CHANGE' } });
    expect(core.transferLeader('n1')).toEqual({ ok: true });
    expect(core.status().transferee).toBeNull();
  });

  it('a voter inside its leader lease still grants a transfer vote', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.tickAll(3);
    net.core('n1').transferLeader('n3');
    net.stabilize();
    expect(net.leaders()).toEqual(['n3']);
  });
});
