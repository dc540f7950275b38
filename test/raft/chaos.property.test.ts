import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MembershipChangeStep } from '../../raft/index.ts';
import { Network } from './helpers.ts';

/** Random operations on a cluster of up to 5 members (3 bootstrap voters, 2 that may join). */
type Action =
  | { readonly kind: 'tick'; readonly node: number }
  | { readonly kind: 'tick-all' }
  | { readonly kind: 'deliver'; readonly position: number }
  | { readonly kind: 'deliver-all' }
  | { readonly kind: 'drop'; readonly position: number }
  | { readonly kind: 'propose'; readonly node: number }
  | { readonly kind: 'read'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: 'partition'; readonly mask: number }
  | { readonly kind: 'heal' }
  | { readonly kind: 'membership'; readonly step: number; readonly node: number }
  | { readonly kind: 'transfer'; readonly node: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('tick' as const), node: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick-all' as const) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('deliver' as const), position: fc.nat(60) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver-all' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), position: fc.nat(60) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('propose' as const), node: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partition' as const), mask: fc.nat(31) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('heal' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('membership' as const), step: fc.nat(3), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), node: fc.nat(4) }) },
);

/** RAFT_PROPERTY_RUNS_FACTOR=20 runs a longer hunt. */
function runs(base: number): number {
  return base * Number(process.env['RAFT_PROPERTY_RUNS_FACTOR'] ?? 1);
}

const ids = ['n1', 'n2', 'n3', 'n4', 'n5'];
const stepTypes = ['add-voter', 'add-learner', 'promote-learner', 'remove'] as const;

function run(seed: number, actions: readonly Action[]): Network {
  const net = new Network(['n1', 'n2', 'n3'], {
    seed,
    options: { electionTimeoutTicks: 5, snapshotEntriesThreshold: 6, snapshotTrailingEntries: 2, snapshotChunkBytes: 20, appendEntriesMax: 4, inflightMessagesMax: 3 },
  });
  const empty = { voters: [], learners: [], votersOutgoing: [] };
  net.add('n4', empty);
  net.add('n5', empty);
  /** Linearizable reads: a read must see every entry committed anywhere before it was issued. */
  const committedAtIssue = new Map<string, number>();
  const maxCommit = (): number => Math.max(...[...net.nodes.values()].map((node) => node.core.status().commitIndex));
  let counter = 0;
  for (const step of actions) {
    const id = ids[('node' in step ? step.node : 0) % ids.length] ?? 'n1';
    switch (step.kind) {
      case 'tick':
        net.tick(id);
        break;
      case 'tick-all':
        for (const node of net.nodes.values()) if (node.alive) net.tick(node.id);
        break;
      case 'deliver':
        net.deliverAt(step.position);
        break;
      case 'deliver-all':
        net.deliverOnce();
        break;
      case 'drop':
        net.deliverAt(step.position, true);
        break;
      case 'propose':
        net.propose(id, `p${(counter += 1)}`);
        break;
      case 'read': {
        const requestId = `r${(counter += 1)}`;
        committedAtIssue.set(requestId, maxCommit());
        net.core(id).readIndex(requestId);
        break;
      }
      case 'restart':
        net.restart(id);
        break;
      case 'partition':
        net.heal();
        net.partition(ids.filter((_, i) => (step.mask >> i) & 1), ids.filter((_, i) => !((step.mask >> i) & 1)));
        break;
      case 'heal':
        net.heal();
        break;
      case 'membership': {
        const change: MembershipChangeStep = { type: stepTypes[step.step] ?? 'remove', id };
        for (const leader of net.leaders()) net.core(leader).proposeMembershipChange({ steps: [change] });
        break;
      }
      case 'transfer':
        for (const leader of net.leaders()) net.core(leader).transferLeader(id);
        break;
    }
    net.processReadies();
    for (const node of net.nodes.values()) {
      if (node.alive && node.snapshotsRequested > 0 && node.appliedIndex > (node.storage.snapshot?.index ?? 0)) {
        node.snapshotsRequested = 0;
        net.snapshot(node.id);
      }
      for (const read of node.readStates.splice(0)) {
        const floor = committedAtIssue.get(read.requestId) ?? 0;
        if (read.index < floor) throw new Error(`read ${read.requestId} at ${read.index} misses commit ${floor}`);
      }
    }
  }
  net.assertSafety();
  return net;
}

describe('safety with membership changes, transfers, partitions and restarts', () => {
  it('keeps election safety, state machine safety and linearizable read indexes', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(action, { minLength: 300, maxLength: 1000, size: 'max' }), (seed, actions) => {
        run(seed, actions);
      }),
      { numRuns: runs(150) },
    );
  });

  it('the cluster recovers liveness after the chaos stops', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(action, { minLength: 100, maxLength: 400, size: 'max' }), (seed, actions) => {
        const net = run(seed, actions);
        net.heal();
        for (const node of net.nodes.values()) if (!node.alive) net.restart(node.id);
        net.tickAll(150);
        const leaders = net.leaders();
        expect(leaders).toHaveLength(1);
        const leader = leaders[0] ?? '';
        expect(net.propose(leader, 'final').ok).toBe(true);
        net.tickAll(10);
        const members = net.core(leader).status().membership;
        for (const id of [...members.voters, ...members.learners]) expect(net.node(id).applied.at(-1)).toBe('final');
        net.assertSafety();
      }),
      { numRuns: runs(100) },
    );
  });
});
