import { describe, expect, it } from 'vitest';
import { Network, drain, entriesWithTerms, makeLeader, ofType, singleCore, voters } from './helpers.ts';

const three = voters('n1', 'n2', 'n3');

describe('leader election (§5.2)', () => {
  it('a follower starts a pre-election after a randomized timeout in [T, 2T)', () => {
    const timeouts = new Set<number>();
    for (let seed = 1; seed <= 20; seed += 1) {
      const core = singleCore('n1', three, { seed });
      let ticks = 0;
      while (core.status().role === 'follower') {
        core.tick();
        ticks += 1;
      }
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect(ticks).toBeLessThan(20);
      timeouts.add(ticks);
    }
    expect(timeouts.size).toBeGreaterThan(3);
  });

  it('pre-vote does not bump the term; the term moves only after a pre-vote quorum', () => {
    const core = singleCore('n1', three);
    for (let i = 0; i < 20 && core.status().role === 'follower'; i += 1) core.tick();
    expect(core.status()).toMatchObject({ role: 'pre-candidate', term: 0 });
    const ready = drain(core);
    const preVotes = ofType(ready.messages, 'pre-vote');
    expect(preVotes.map((m) => m.to).sort()).toEqual(['n2', 'n3']);
    expect(preVotes.every((m) => m.term === 1)).toBe(true);
    expect(ready.hardState).toBeNull();
    core.step({ type: 'pre-vote-response', from: 'n2', to: 'n1', term: 1, granted: true });
    expect(core.status()).toMatchObject({ role: 'candidate', term: 1, votedFor: 'n1' });
    const votes = ofType(drain(core).messages, 'vote');
    expect(votes).toHaveLength(2);
    expect(votes.every((m) => m.term === 1 && !m.transfer)).toBe(true);
  });

  it('a candidate with a majority of votes becomes leader and appends a noop (§5.2, §8)', () => {
    const core = singleCore('n1', three);
    const ready = makeLeader(core, ['n2']);
    expect(core.status()).toMatchObject({ role: 'leader', term: 1, leaderId: 'n1', lastIndex: 1 });
    expect(ready.entries).toEqual([{ type: 'noop', term: 1, index: 1 }]);
    expect(ofType(ready.messages, 'append')).toHaveLength(2);
  });

  it('a candidate that is refused by a majority returns to follower', () => {
    const core = singleCore('n1', three, { options: { preVote: false } });
    for (let i = 0; i < 20 && core.status().role === 'follower'; i += 1) core.tick();
    expect(core.status().role).toBe('candidate');
    core.step({ type: 'vote-response', from: 'n2', to: 'n1', term: 1, granted: false });
    core.step({ type: 'vote-response', from: 'n3', to: 'n1', term: 1, granted: false });
    expect(core.status()).toMatchObject({ role: 'follower', term: 1 });
  });

  it('a node grants at most one vote per term', () => {
    const core = singleCore('n1', three);
    core.step({ type: 'vote', from: 'n2', to: 'n1', term: 1, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
    core.step({ type: 'vote', from: 'n3', to: 'n1', term: 1, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
    core.step({ type: 'vote', from: 'n2', to: 'n1', term: 1, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
    const ready = drain(core);
    const responses = ofType(ready.messages, 'vote-response');
    expect(responses.map((m) => [m.to, m.granted])).toEqual([
      ['n2', true],
      ['n3', false],
      ['n2', true],
    ]);
    expect(ready.hardState).toEqual({ term: 1, votedFor: 'n2', commitIndex: 0 });
    expect(ready.mustSync).toBe(true);
  });

  it('a candidate with a stale log is refused (§5.4.1)', () => {
    const core = singleCore('n1', three, { restore: { hardState: { term: 2, votedFor: null, commitIndex: 0 }, entries: entriesWithTerms([1, 2]) } });
    const ask = (from: string, term: number, lastLogIndex: number, lastLogTerm: number): boolean => {
      core.step({ type: 'vote', from, to: 'n1', term, lastLogIndex, lastLogTerm, transfer: false });
      const [response] = ofType(drain(core).messages, 'vote-response');
      return response?.granted ?? false;
    };
    expect(ask('n2', 3, 5, 1)).toBe(false); // longer log but older last term
    expect(ask('n2', 4, 1, 2)).toBe(false); // same last term, shorter
    expect(ask('n3', 5, 2, 2)).toBe(true); // as up to date
  });

  it('only a granted vote resets the election timer: a stale candidate cannot hold others back', () => {
    const core = singleCore('n1', three, { options: { preVote: false }, restore: { hardState: { term: 1, votedFor: null, commitIndex: 0 }, entries: entriesWithTerms([1, 1]) } });
    let campaignedAtTick = 0;
    for (let tick = 1; tick <= 30 && campaignedAtTick === 0; tick += 1) {
      core.tick();
      if (core.status().role === 'candidate') campaignedAtTick = tick;
      // n3's log is behind: refused every tick, and our timer keeps running.
      core.step({ type: 'vote', from: 'n3', to: 'n1', term: core.status().term + 1, lastLogIndex: 1, lastLogTerm: 1, transfer: false });
    }
    expect(campaignedAtTick).toBeGreaterThanOrEqual(10);
    expect(campaignedAtTick).toBeLessThan(20);
  });

  it('a node that heard from its leader within the election timeout ignores higher-term votes (leader stickiness)', () => {
    const core = singleCore('n1', three);
    core.step({ type: 'heartbeat', from: 'n2', to: 'n1', term: 1, commitIndex: 0, readContext: 1 });
    drain(core);
    core.step({ type: 'vote', from: 'n3', to: 'n1', term: 2, lastLogIndex: 5, lastLogTerm: 2, transfer: false });
    core.step({ type: 'pre-vote', from: 'n3', to: 'n1', term: 2, lastLogIndex: 5, lastLogTerm: 2 });
    expect(drain(core).messages.filter((m) => m.type !== 'heartbeat-response')).toEqual([]);
    expect(core.status()).toMatchObject({ term: 1, leaderId: 'n2' });
  });

  it('a transfer vote is granted even within the leader lease', () => {
    const core = singleCore('n1', three);
    core.step({ type: 'heartbeat', from: 'n2', to: 'n1', term: 1, commitIndex: 0, readContext: 1 });
    drain(core);
    core.step({ type: 'vote', from: 'n3', to: 'n1', term: 2, lastLogIndex: 0, lastLogTerm: 0, transfer: true });
    const [response] = ofType(drain(core).messages, 'vote-response');
    expect(response).toMatchObject({ granted: true, term: 2 });
    expect(core.status()).toMatchObject({ term: 2, votedFor: 'n3' });
  });

  it('a pre-vote with a higher term does not make the receiver step down or change its term', () => {
    const core = singleCore('n1', three, { options: { checkQuorum: false } });
    makeLeader(core, ['n2']);
    core.step({ type: 'pre-vote', from: 'n3', to: 'n1', term: 5, lastLogIndex: 9, lastLogTerm: 4 });
    expect(core.status()).toMatchObject({ role: 'leader', term: 1 });
    const [response] = ofType(drain(core).messages, 'pre-vote-response');
    expect(response).toMatchObject({ granted: true, term: 5 });
  });

  it('a lower-term append is answered with our term so a stale leader steps down', () => {
    const core = singleCore('n1', three, { restore: { hardState: { term: 3, votedFor: null, commitIndex: 0 } } });
    core.step({ type: 'append', from: 'n2', to: 'n1', term: 2, prevLogIndex: 0, prevLogTerm: 0, entries: [], commitIndex: 0 });
    const [response] = ofType(drain(core).messages, 'append-response');
    expect(response).toMatchObject({ to: 'n2', term: 3, success: false });

    const stale = singleCore('n2', three);
    makeLeader(stale, ['n3']);
    stale.step({ type: 'append-response', from: 'n1', to: 'n2', term: 3, success: false, matchIndex: 0, conflictIndex: 0, conflictTerm: 0 });
    expect(stale.status()).toMatchObject({ role: 'follower', term: 3 });
  });

  it('a partitioned node does not bump its term on rejoin (pre-vote)', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n3');
    net.tickAll(100);
    expect(net.core('n3').status().term).toBe(1);
    net.heal();
    net.tickAll(30);
    expect(net.leaders()).toEqual(['n1']);
    expect([...net.nodes.values()].map((node) => node.core.status().term)).toEqual([1, 1, 1]);
  });

  it('without pre-vote a partitioned node inflates its term and deposes the leader on rejoin', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { preVote: false, checkQuorum: false } });
    net.elect('n1');
    net.isolate('n3');
    net.tickAll(100);
    expect(net.core('n3').status().term).toBeGreaterThan(1);
    net.heal();
    net.tickAll(30);
    expect(net.core('n1').status().term).toBeGreaterThan(1);
  });

  it('check-quorum: an isolated leader steps down and the majority elects another', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n1');
    net.tickAll(40);
    expect(net.core('n1').status().role).not.toBe('leader');
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe('n1');
    net.heal();
    net.tickAll(5);
    expect(net.core('n1').status().leaderId).toBe(leaders[0]);
  });

  it('without check-quorum an isolated leader stays leader', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { checkQuorum: false } });
    net.elect('n1');
    net.isolate('n1');
    net.tickAll(40);
    expect(net.core('n1').status().role).toBe('leader');
  });

  it('a single voter elects itself', () => {
    const net = new Network(['n1']);
    net.tickAll(25);
    expect(net.leaders()).toEqual(['n1']);
    expect(net.propose('n1', 'x').ok).toBe(true);
    net.stabilize();
    expect(net.node('n1').applied).toEqual(['x']);
  });

  it('learners and nodes outside the membership never campaign', () => {
    const learner = singleCore('n4', { voters: ['n1', 'n2', 'n3'], learners: ['n4'], votersOutgoing: [] });
    const outsider = singleCore('n9', three);
    const joining = singleCore('n5', { voters: [], learners: [], votersOutgoing: [] });
    for (let i = 0; i < 200; i += 1) for (const core of [learner, outsider, joining]) core.tick();
    for (const core of [learner, outsider, joining]) {
      expect(core.status()).toMatchObject({ role: 'follower', term: 0 });
      expect(core.hasReady()).toBe(false);
    }
  });
});
