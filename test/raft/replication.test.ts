import { describe, expect, it } from 'vitest';
import { Network, bytes, drain, entriesWithTerms, makeLeader, ofType, singleCore, voters } from './helpers.ts';

const three = voters('n1', 'n2', 'n3');

describe('log replication (§5.3)', () => {
  it('a follower rejects AppendEntries whose prevLogIndex term does not match (§5.3)', () => {
    const core = singleCore('n2', three, { restore: { hardState: { term: 3, votedFor: null, commitIndex: 0 }, entries: entriesWithTerms([1, 1, 2]) } });
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 3, prevLogIndex: 3, prevLogTerm: 3, entries: entriesWithTerms([3], 4), commitIndex: 0 });
    const ready = drain(core);
    const [response] = ofType(ready.messages, 'append-response');
    expect(response).toMatchObject({ success: false, matchIndex: 3, conflictTerm: 2, conflictIndex: 3 });
    expect(ready.entries).toEqual([]);
    expect(core.status().lastIndex).toBe(3);
  });

  it('a follower whose log is too short returns its log end as the hint', () => {
    const core = singleCore('n2', three, { restore: { hardState: { term: 3, votedFor: null, commitIndex: 0 }, entries: entriesWithTerms([1, 1]) } });
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 3, prevLogIndex: 7, prevLogTerm: 3, entries: [], commitIndex: 0 });
    const [response] = ofType(drain(core).messages, 'append-response');
    expect(response).toMatchObject({ success: false, conflictTerm: 0, conflictIndex: 3 });
  });

  it('a conflicting term hint points at the first index of that term', () => {
    const core = singleCore('n2', three, { restore: { hardState: { term: 5, votedFor: null, commitIndex: 0 }, entries: entriesWithTerms([1, 2, 2, 2, 2]) } });
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 5, prevLogIndex: 5, prevLogTerm: 4, entries: [], commitIndex: 0 });
    const [response] = ofType(drain(core).messages, 'append-response');
    expect(response).toMatchObject({ success: false, conflictTerm: 2, conflictIndex: 2 });
  });

  it('conflicting entries are overwritten, matching ones kept', () => {
    const core = singleCore('n2', three, { restore: { hardState: { term: 3, votedFor: null, commitIndex: 1 }, entries: entriesWithTerms([1, 1, 2, 2]) } });
    const incoming = [...entriesWithTerms([1], 2), ...entriesWithTerms([3, 3, 3], 3)];
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 3, prevLogIndex: 1, prevLogTerm: 1, entries: incoming, commitIndex: 1 });
    const ready = drain(core);
    // Index 2 matched and is not rewritten; 3.. conflicted and were replaced.
    expect(ready.entries.map((e) => [e.index, e.term])).toEqual([
      [3, 3],
      [4, 3],
      [5, 3],
    ]);
    expect(ofType(ready.messages, 'append-response')[0]).toMatchObject({ success: true, matchIndex: 5 });
    expect(core.status()).toMatchObject({ lastIndex: 5, lastTerm: 3 });
  });

  it('an append already contained in the log changes nothing (idempotent, §5.3)', () => {
    const core = singleCore('n2', three, { restore: { hardState: { term: 3, votedFor: null, commitIndex: 0 }, entries: entriesWithTerms([1, 2, 3]) } });
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 3, prevLogIndex: 0, prevLogTerm: 0, entries: entriesWithTerms([1, 2]), commitIndex: 0 });
    const ready = drain(core);
    expect(ready.entries).toEqual([]);
    expect(core.status().lastIndex).toBe(3);
  });

  it('commit index advances to min(leaderCommit, last new entry)', () => {
    const core = singleCore('n2', three, { restore: { hardState: { term: 1, votedFor: null, commitIndex: 0 } } });
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: entriesWithTerms([1, 1]), commitIndex: 5 });
    const ready = drain(core);
    expect(core.status().commitIndex).toBe(2);
    expect(ready.committedEntries.map((e) => e.index)).toEqual([1, 2]);
    expect(ready.hardState).toEqual({ term: 1, votedFor: null, commitIndex: 2 });
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 1, prevLogIndex: 1, prevLogTerm: 1, entries: [], commitIndex: 5 });
    // The last new entry of this message is 1: commit stays 2 (never decreases).
    expect(core.status().commitIndex).toBe(2);
  });

  it('heartbeats carry commitIndex = min(leader commit, follower match)', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n3');
    for (let i = 0; i < 3; i += 1) net.propose('n1', `v${i}`);
    net.stabilize();
    expect(net.core('n1').status().commitIndex).toBe(4);
    const before = net.sent.length;
    net.tick('n1', 1);
    net.processReadies();
    const heartbeats = ofType(net.sent.slice(before), 'heartbeat');
    expect(heartbeats.find((m) => m.to === 'n2')?.commitIndex).toBe(4);
    // n3 was cut off after acknowledging the noop only.
    expect(heartbeats.find((m) => m.to === 'n3')?.commitIndex).toBe(1);
  });

  it('a leader never commits an entry of a previous term by counting replicas (§5.4.2, figure 8)', () => {
    // n1 holds [t1, t2]; it becomes leader of term 3 and appends its noop at index 3.
    const core = singleCore('n1', three, { restore: { hardState: { term: 2, votedFor: null, commitIndex: 1 }, entries: entriesWithTerms([1, 2]) } });
    makeLeader(core, ['n2']);
    expect(core.status()).toMatchObject({ term: 3, lastIndex: 3 });
    // n2 acknowledges index 2 (term 2) only: a majority holds it, yet it must not commit.
    core.step({ type: 'append-response', from: 'n2', to: 'n1', term: 3, success: true, matchIndex: 2, conflictIndex: 0, conflictTerm: 0 });
    expect(core.status().commitIndex).toBe(1);
    // Once the term-3 noop is on a majority, it and everything before it commit.
    core.step({ type: 'append-response', from: 'n2', to: 'n1', term: 3, success: true, matchIndex: 3, conflictIndex: 0, conflictTerm: 0 });
    expect(core.status().commitIndex).toBe(3);
  });

  it('the leader backtracks fast over a divergent follower log and overwrites it', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { appendEntriesMax: 100 } });
    net.elect('n1');
    for (let i = 0; i < 20; i += 1) net.propose('n1', `a${i}`);
    net.stabilize();
    // n1 keeps leading but is cut off while it appends 30 entries no one else gets.
    net.isolate('n1');
    for (let i = 0; i < 30; i += 1) net.propose('n1', `lost${i}`);
    net.stabilize();
    net.crash('n1');
    net.heal();
    net.tickAll(40);
    const [leader] = net.leaders();
    expect(leader).toBeDefined();
    for (let i = 0; i < 5; i += 1) net.propose(leader ?? '', `b${i}`);
    net.stabilize();
    net.restart('n1');
    const before = net.sent.length;
    net.tickAll(5);
    const rejections = ofType(net.sent.slice(before), 'append-response').filter((m) => m.from === 'n1' && !m.success && m.conflictTerm > 0);
    // One hint skips the whole divergent term instead of one entry per round trip.
    expect(rejections.length).toBeLessThanOrEqual(2);
    expect(net.node('n1').applied).toEqual(net.node(leader ?? '').applied);
    expect(net.node('n1').applied.some((payload) => payload.startsWith('lost'))).toBe(false);
    net.assertSafety();
  });

  it('proposals between ready() calls go out in one append message per follower (batching)', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    const before = net.sent.length;
    for (let i = 0; i < 5; i += 1) net.propose('n1', `p${i}`);
    net.processReadies();
    const appends = ofType(net.sent.slice(before), 'append');
    expect(appends).toHaveLength(2);
    expect(appends.every((m) => m.entries.length === 5)).toBe(true);
  });

  it('the in-flight window bounds pipelined appends per follower (inflightMessagesMax)', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { inflightMessagesMax: 3 } });
    net.elect('n1');
    net.dropRules.push((m) => m.type === 'append-response' && m.from === 'n2');
    const before = net.sent.length;
    for (let i = 0; i < 10; i += 1) {
      net.propose('n1', `p${i}`);
      net.stabilize();
    }
    const toN2 = ofType(net.sent.slice(before), 'append').filter((m) => m.to === 'n2' && m.entries.length > 0);
    expect(toN2).toHaveLength(3);
    expect(net.core('n1').status().progress['n2']).toMatchObject({ state: 'replicate', inflight: 3 });
    net.heal();
    net.tickAll(3);
    expect(net.node('n2').applied).toHaveLength(10);
  });

  it('the in-flight window is also bounded in bytes (inflightBytesMax)', () => {
    const net = new Network(['n1', 'n2', 'n3'], { options: { inflightBytesMax: 2500 } });
    net.elect('n1');
    net.dropRules.push((m) => m.type === 'append-response' && m.from === 'n2');
    const before = net.sent.length;
    for (let i = 0; i < 10; i += 1) {
      net.core('n1').propose(new Uint8Array(1000));
      net.stabilize();
    }
    expect(ofType(net.sent.slice(before), 'append').filter((m) => m.to === 'n2' && m.entries.length > 0)).toHaveLength(3);
  });

  it('appendEntriesMax and appendBytesMax bound each append message', () => {
    const net = new Network(['n1', 'n2'], { options: { appendEntriesMax: 4, appendBytesMax: 10_000 } });
    net.elect('n1');
    const before = net.sent.length;
    for (let i = 0; i < 10; i += 1) net.propose('n1', `p${i}`);
    for (let i = 0; i < 3; i += 1) net.core('n1').propose(new Uint8Array(6000));
    net.stabilize();
    const appends = ofType(net.sent.slice(before), 'append').filter((m) => m.entries.length > 0);
    expect(appends.every((m) => m.entries.length <= 4)).toBe(true);
    const sizes = appends.map((m) => m.entries.reduce((sum, e) => sum + (e.type === 'normal' ? e.data.byteLength : 0), 0));
    expect(sizes.every((size) => size <= 10_000)).toBe(true);
    expect(net.node('n2').applied).toHaveLength(13);
  });

  it('a follower in probe state is sent one append at a time', () => {
    const core = singleCore('n1', three);
    makeLeader(core, ['n2']);
    for (let i = 0; i < 5; i += 1) {
      core.propose(bytes(`p${i}`));
      drain(core);
    }
    // n2 and n3 never answered: still probing, one append each (the first).
    expect(core.status().progress['n2']).toMatchObject({ state: 'probe', matchIndex: 0 });
    core.step({ type: 'append-response', from: 'n2', to: 'n1', term: 1, success: true, matchIndex: 1, conflictIndex: 0, conflictTerm: 0 });
    expect(core.status().progress['n2']?.state).toBe('replicate');
    const appends = ofType(drain(core).messages, 'append').filter((m) => m.to === 'n2');
    expect(appends).toHaveLength(1);
    expect(appends[0]?.entries.map((e) => e.index)).toEqual([2, 3, 4, 5, 6]);
  });

  it('Ready: entries before messages, hard state only when changed, mustSync for term/vote/entries', () => {
    const core = singleCore('n1', voters('n1'));
    for (let i = 0; i < 25 && core.status().role !== 'leader'; i += 1) core.tick();
    const first = drain(core);
    expect(first.hardState).toEqual({ term: 1, votedFor: 'n1', commitIndex: 1 });
    expect(first.mustSync).toBe(true);
    expect(first.softState).toEqual({ role: 'leader', leaderId: 'n1', term: 1 });
    expect(core.hasReady()).toBe(false);
    core.tick();
    expect(core.hasReady()).toBe(false);
    core.propose(bytes('x'));
    const second = drain(core);
    expect(second.entries.map((e) => e.index)).toEqual([2]);
    expect(second.committedEntries.map((e) => e.index)).toEqual([2]);
    expect(second.hardState).toEqual({ term: 1, votedFor: 'n1', commitIndex: 2 });
    expect(second.softState).toBeNull();
  });

  it('a commit-only change does not require fsync', () => {
    const core = singleCore('n2', three);
    core.step({ type: 'append', from: 'n1', to: 'n2', term: 1, prevLogIndex: 0, prevLogTerm: 0, entries: entriesWithTerms([1]), commitIndex: 0 });
    expect(drain(core).mustSync).toBe(true);
    core.step({ type: 'heartbeat', from: 'n1', to: 'n2', term: 1, commitIndex: 1, readContext: 1 });
    const ready = drain(core);
    expect(ready.hardState?.commitIndex).toBe(1);
    expect(ready.mustSync).toBe(false);
  });
});
