import { describe, expect, it } from 'vitest';
import { Network, bytes, drain, entriesWithTerms, makeLeader, ofType, singleCore, voters } from './helpers.ts';

const three = voters('n1', 'n2', 'n3');

describe('ReadIndex (thesis §6.4)', () => {
  it('a leader read needs a heartbeat round acknowledged by a quorum', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.propose('n1', 'x');
    net.stabilize();
    net.dropRules.push((m) => m.type === 'heartbeat-response');
    expect(net.core('n1').readIndex('r1')).toEqual({ ok: true });
    net.stabilize();
    expect(net.node('n1').readStates).toEqual([]);
    expect(net.core('n1').status().pendingReads).toBe(1);
    net.heal();
    net.tickAll(1);
    expect(net.node('n1').readStates).toEqual([{ requestId: 'r1', index: 2 }]);
  });

  it('one heartbeat round confirms every read made since the last ready()', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    const before = net.sent.length;
    for (let i = 0; i < 5; i += 1) net.core('n1').readIndex(`r${i}`);
    net.stabilize();
    expect(ofType(net.sent.slice(before), 'heartbeat')).toHaveLength(2);
    expect(net.node('n1').readStates.map((r) => r.requestId)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('a single-voter cluster answers reads at once', () => {
    const core = singleCore('n1', voters('n1'));
    for (let i = 0; i < 25 && core.status().role !== 'leader'; i += 1) core.tick();
    drain(core);
    core.readIndex('r1');
    expect(drain(core).readStates).toEqual([{ requestId: 'r1', index: 1 }]);
  });

  it('a new leader serves reads only after committing an entry of its term', () => {
    const core = singleCore('n1', three, { restore: { hardState: { term: 1, votedFor: null, commitIndex: 1 }, entries: entriesWithTerms([1, 1]) } });
    makeLeader(core, ['n2']);
    core.readIndex('r1');
    const ready = drain(core);
    const [heartbeat] = ofType(ready.messages, 'heartbeat');
    expect(heartbeat).toBeDefined();
    core.step({ type: 'heartbeat-response', from: 'n2', to: 'n1', term: 2, readContext: heartbeat?.readContext ?? 0 });
    expect(drain(core).readStates).toEqual([]);
    // The noop (index 3) commits: now the read resolves at the new commit index.
    core.step({ type: 'append-response', from: 'n2', to: 'n1', term: 2, success: true, matchIndex: 3, conflictIndex: 0, conflictTerm: 0 });
    expect(drain(core).readStates).toEqual([{ requestId: 'r1', index: 3 }]);
  });

  it('a follower read is forwarded to the leader and answered with its read index', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.propose('n1', 'x');
    net.stabilize();
    expect(net.core('n2').readIndex('f1')).toEqual({ ok: true });
    net.stabilize();
    expect(net.node('n2').readStates).toEqual([{ requestId: 'f1', index: 2 }]);
    expect(ofType(net.sent, 'read-index').map((m) => m.to)).toEqual(['n1']);
  });

  it('a read with no known leader is refused with RAFT_NOT_LEADER', () => {
    const core = singleCore('n2', three);
    expect(core.readIndex('r')).toEqual({ ok: false, refusal: { code: 'RAFT_NOT_LEADER', leaderHint: null } });
  });

  it('pending reads fail with RAFT_NOT_LEADER when leadership is lost', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n1');
    net.core('n1').readIndex('lost');
    net.tickAll(30);
    expect(net.node('n1').readFailures).toEqual([{ requestId: 'lost', reason: { code: 'RAFT_NOT_LEADER', leaderHint: null } }]);
  });

  it('a follower read fails when its leader changes', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.dropRules.push((m) => m.type === 'read-index');
    net.core('n2').readIndex('f1');
    net.stabilize();
    net.crash('n1');
    net.tickAll(40);
    expect(net.node('n2').readFailures.map((f) => [f.requestId, f.reason.code])).toEqual([['f1', 'RAFT_NOT_LEADER']]);
  });

  it('an unanswered read fails after two election timeouts', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { checkQuorum: false } });
    net.elect('n1');
    net.dropRules.push((m) => m.type === 'heartbeat-response' || m.type === 'read-index');
    net.core('n1').readIndex('slow');
    net.core('n2').readIndex('forwarded');
    net.tickAll(19);
    expect(net.node('n1').readFailures).toEqual([]);
    net.tickAll(2);
    expect(net.node('n1').readFailures.map((f) => f.requestId)).toEqual(['slow']);
    expect(net.node('n2').readFailures.map((f) => f.reason)).toEqual([{ code: 'RAFT_NOT_LEADER', leaderHint: 'n1' }]);
  });

  it('pending reads are bounded by pendingReadsMax (RAFT_READ_QUEUE_FULL)', () => {
    const core = singleCore('n1', three, { options: { pendingReadsMax: 2 } });
    makeLeader(core, ['n2']);
    expect(core.readIndex('a').ok).toBe(true);
    expect(core.readIndex('b').ok).toBe(true);
    expect(core.readIndex('c')).toEqual({ ok: false, refusal: { code: 'RAFT_READ_QUEUE_FULL', limit: 2 } });
  });

  it('lease reads are answered at once while a quorum acknowledged a recent heartbeat', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { leaseReads: true } });
    net.elect('n1');
    net.tickAll(2);
    const before = net.sent.length;
    net.core('n1').readIndex('lease');
    net.processReadies();
    expect(net.node('n1').readStates).toEqual([{ requestId: 'lease', index: 1 }]);
    expect(ofType(net.sent.slice(before), 'heartbeat')).toHaveLength(0);
    // Once no acknowledgement is recent, the lease has lapsed: back to a heartbeat round.
    net.dropRules.push((m) => m.type === 'heartbeat-response');
    for (let i = 0; i < 10; i += 1) net.tick('n1');
    net.stabilize();
    net.core('n1').readIndex('no-lease');
    net.stabilize();
    expect(net.node('n1').readStates.map((r) => r.requestId)).toEqual(['lease']);
  });

  it('after sending TimeoutNow a leader no longer trusts its lease', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { leaseReads: true } });
    net.elect('n1');
    net.tickAll(2);
    net.dropRules.push((m) => m.type === 'timeout-now');
    net.core('n1').transferLeader('n2');
    net.stabilize();
    net.dropRules.push((m) => m.type === 'heartbeat-response');
    net.core('n1').readIndex('after-transfer');
    net.stabilize();
    expect(net.node('n1').readStates).toEqual([]);
    expect(net.core('n1').status().pendingReads).toBe(1);
  });

  it('with lease reads, a restarted member honours a lease for its first election timeout', () => {
    const core = singleCore('n2', three, { options: { leaseReads: true }, restore: { hardState: { term: 3, votedFor: null, commitIndex: 0 } } });
    const vote = (term: number) => core.step({ type: 'vote', from: 'n3', to: 'n2', term, lastLogIndex: 0, lastLogTerm: 0, transfer: false });
    vote(4);
    expect(core.status().term).toBe(3);
    for (let i = 0; i < 10; i += 1) core.tick();
    vote(4);
    expect(core.status()).toMatchObject({ term: 4, votedFor: 'n3' });
  });

  it('reads observe every write committed before them', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    for (let i = 0; i < 3; i += 1) {
      net.core('n1').propose(bytes(`w${i}`));
      net.stabilize();
      net.core('n3').readIndex(`r${i}`);
      net.stabilize();
      const read = net.node('n3').readStates[i];
      expect(read?.index).toBe(net.core('n1').status().commitIndex);
      expect(net.node('n3').appliedIndex).toBeGreaterThanOrEqual(read?.index ?? Infinity);
    }
  });
});
