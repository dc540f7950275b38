import { describe, expect, it } from 'vitest';
import { Network, drain, entriesWithTerms, ofType, singleCore, voters } from './helpers.ts';

describe('restart from persisted state', () => {
  it('restores term, vote, log and commit; committed entries are re-delivered after the snapshot', () => {
    const core = singleCore('n2', voters('n1', 'n2', 'n3'), {
      restore: { hardState: { term: 4, votedFor: 'n1', commitIndex: 2 }, entries: entriesWithTerms([1, 3, 4]) },
    });
    expect(core.status()).toMatchObject({ term: 4, votedFor: 'n1', commitIndex: 2, appliedIndex: 0, lastIndex: 3, role: 'follower' });
    const ready = drain(core);
    expect(ready.hardState).toBeNull();
    expect(ready.entries).toEqual([]);
    expect(ready.committedEntries.map((e) => e.index)).toEqual([1, 2]);
    expect(core.status().appliedIndex).toBe(2);
  });

  it('a restarted node keeps its vote: no second vote in the same term', () => {
    const core = singleCore('n2', voters('n1', 'n2', 'n3'), { restore: { hardState: { term: 4, votedFor: 'n1', commitIndex: 0 } } });
    core.step({ type: 'vote', from: 'n3', to: 'n2', term: 4, lastLogIndex: 10, lastLogTerm: 4, transfer: false });
    core.step({ type: 'vote', from: 'n1', to: 'n2', term: 4, lastLogIndex: 10, lastLogTerm: 4, transfer: false });
    expect(ofType(drain(core).messages, 'vote-response').map((m) => [m.to, m.granted])).toEqual([
      ['n3', false],
      ['n1', true],
    ]);
  });

  it('the restored membership is the last membership entry of the log', () => {
    const joint = { voters: ['n1', 'n2', 'n3', 'n4'], learners: [], votersOutgoing: ['n1', 'n2', 'n3'] };
    const core = singleCore('n2', voters('n1', 'n2', 'n3'), {
      restore: {
        hardState: { term: 1, votedFor: null, commitIndex: 1 },
        entries: [{ type: 'noop', term: 1, index: 1 }, { type: 'membership', term: 1, index: 2, membership: joint }],
      },
    });
    expect(core.status().membership).toEqual(joint);
  });

  it('a whole cluster restarts and keeps every committed entry', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    for (let i = 0; i < 5; i += 1) net.propose('n1', `v${i}`);
    net.stabilize();
    for (const id of ['n1', 'n2', 'n3']) net.crash(id);
    for (const id of ['n1', 'n2', 'n3']) net.restart(id);
    net.tickAll(40);
    const [leader] = net.leaders();
    expect(leader).toBeDefined();
    net.propose(leader ?? '', 'after');
    net.stabilize();
    for (const id of ['n1', 'n2', 'n3']) expect(net.node(id).applied).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'after']);
    net.assertSafety();
  });

  it('an entry the leader persisted but never replicated survives its restart (or is safely overwritten)', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    net.isolate('n1');
    net.propose('n1', 'orphan');
    net.stabilize();
    net.crash('n1');
    net.heal();
    net.tickAll(40);
    net.propose(net.leaders()[0] ?? '', 'winner');
    net.stabilize();
    net.restart('n1');
    net.tickAll(3);
    expect(net.node('n1').applied).toEqual(['winner']);
    net.assertSafety();
  });
});
