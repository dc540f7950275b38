import { describe, expect, it } from 'vitest';
import { bytes, drain, makeLeader, ofType, singleCore, voters } from './helpers.ts';

const heartbeatFromN1 = { type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commitIndex: 0, readContext: 1 } as const;

describe('proposal forwarding (etcd MsgProp)', () => {
  it('a follower that knows the leader sends proposals there, several in one message', () => {
    const follower = singleCore('n2', voters('n1', 'n2', 'n3'));
    follower.step(heartbeatFromN1);
    drain(follower);
    expect(follower.forwardProposal('a', bytes('x'))).toEqual({ ok: true });
    expect(follower.forwardProposal('b', bytes('y'))).toEqual({ ok: true });
    const [message, ...rest] = ofType(drain(follower).messages, 'propose');
    expect(rest).toHaveLength(0);
    expect(message?.to).toBe('n1');
    expect(message?.proposals.map((proposal) => proposal.id)).toEqual(['a', 'b']);
  });

  it('a follower with no known leader refuses to forward with RAFT_NOT_LEADER', () => {
    const follower = singleCore('n2', voters('n1', 'n2', 'n3'));
    expect(follower.forwardProposal('a', bytes('x'))).toEqual({ ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: null } });
  });

  it('the leader appends forwarded proposals and answers with their index and term', () => {
    const leader = singleCore('n1', voters('n1', 'n2', 'n3'));
    makeLeader(leader, ['n2']);
    const lastBefore = leader.status().lastIndex;
    leader.step({ type: 'propose', from: 'n2', to: 'n1', term: 1, proposals: [{ id: 'a', data: bytes('x') }] });
    const [response] = ofType(drain(leader).messages, 'propose-response');
    expect(response?.results).toEqual([{ id: 'a', ok: true, index: lastBefore + 1, term: 1 }]);
    expect(leader.status().lastIndex).toBe(lastBefore + 1);
  });

  it('a duplicated propose message is appended once (a write applied twice is not linearizable)', () => {
    const leader = singleCore('n1', voters('n1', 'n2', 'n3'));
    makeLeader(leader, ['n2']);
    const lastBefore = leader.status().lastIndex;
    const message = { type: 'propose', from: 'n2', to: 'n1', term: 1, proposals: [{ id: 'a', data: bytes('x') }] } as const;
    leader.step(message);
    leader.step(message);
    expect(leader.status().lastIndex).toBe(lastBefore + 1);
    expect(ofType(drain(leader).messages, 'propose-response')).toHaveLength(1);
  });

  it('a node that is not the leader answers a forwarded proposal with a refusal and its leader hint', () => {
    const follower = singleCore('n2', voters('n1', 'n2', 'n3'));
    follower.step(heartbeatFromN1);
    drain(follower);
    follower.step({ type: 'propose', from: 'n3', to: 'n2', term: 1, proposals: [{ id: 'a', data: bytes('x') }] });
    const [response] = ofType(drain(follower).messages, 'propose-response');
    expect(response?.results).toEqual([{ id: 'a', ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: 'n1' } }]);
  });

  it('the leader\'s answer reaches the forwarding node as Ready.forwardedProposals', () => {
    const follower = singleCore('n2', voters('n1', 'n2', 'n3'));
    follower.step(heartbeatFromN1);
    drain(follower);
    follower.step({ type: 'propose-response', from: 'n1', to: 'n2', term: 1, results: [{ id: 'a', ok: true, index: 5, term: 1 }] });
    expect(drain(follower).forwardedProposals).toEqual([{ id: 'a', ok: true, index: 5, term: 1 }]);
  });
});
