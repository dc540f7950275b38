import fc from 'fast-check';
import { describe, it } from 'vitest';
import { Network } from './helpers.ts';

type Action =
  | { readonly kind: 'tick'; readonly node: number }
  | { readonly kind: 'deliver'; readonly position: number }
  | { readonly kind: 'drop'; readonly position: number }
  | { readonly kind: 'deliver-all' }
  | { readonly kind: 'propose'; readonly node: number }
  | { readonly kind: 'read'; readonly node: number }
  | { readonly kind: 'restart'; readonly node: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('tick' as const), node: fc.nat(4) }) },
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('deliver' as const), position: fc.nat(50) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), position: fc.nat(50) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver-all' as const) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('propose' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('read' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), node: fc.nat(4) }) },
);

describe('safety under random drops, delays and reordering', () => {
  it('never violates election safety or state machine safety (3-5 nodes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 5 }), fc.integer(), fc.array(action, { minLength: 300, maxLength: 800, size: 'max' }), (size, seed, actions) => {
        const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
        const net = new Network(ids, { seed, options: { electionTimeoutTicks: 4, snapshotEntriesThreshold: 5, snapshotTrailingEntries: 2, appendEntriesMax: 3 } });
        let proposals = 0;
        for (const step of actions) {
          switch (step.kind) {
            case 'tick':
              net.tick(ids[step.node % size] ?? 'n1');
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
              net.propose(ids[step.node % size] ?? 'n1', `p${(proposals += 1)}`);
              break;
            case 'read':
              net.core(ids[step.node % size] ?? 'n1').readIndex(`r${(proposals += 1)}`);
              break;
            case 'restart':
              net.restart(ids[step.node % size] ?? 'n1');
              break;
          }
          net.processReadies();
          for (const node of net.nodes.values()) {
            if (node.snapshotsRequested > 0 && node.appliedIndex > (node.storage.snapshot?.index ?? 0)) {
              node.snapshotsRequested = 0;
              net.snapshot(node.id);
            }
          }
        }
        net.assertSafety();
      }),
      { numRuns: 200 },
    );
  });
});
