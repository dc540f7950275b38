import { describe, expect, it } from 'vitest';
import { allLinks, combineLinkEffects, retransmitDelayMs } from '../../../chaos/experiments/faults/link-effects.ts';
import { linksAcross, planPartition } from '../../../chaos/experiments/faults/partition-plan.ts';

const servers = ['n1', 'n2', 'n3', 'n4', 'n5'];
const same = (name: string) => name;

describe('fault plans', () => {
  it('a minority without the leader keeps the leader its quorum', () => {
    const plan = planPartition({ kind: 'minority', withLeader: false }, servers, 'n3', same);
    expect(plan.groups).toEqual([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    expect(plan.removesLeader).toBe(false);
  });

  it('a majority without the leader leaves the leader in the minority: it loses its quorum', () => {
    const plan = planPartition({ kind: 'majority', withLeader: false }, ['n1', 'n2', 'n3'], 'n1', same);
    expect(plan.groups).toEqual([['n2', 'n3'], ['n1']]);
    expect(plan.removesLeader).toBe(true);
    expect(planPartition({ kind: 'minority', withLeader: true }, servers, 'n4', same)).toMatchObject({ groups: [['n4', 'n1'], ['n2', 'n3', 'n5']], removesLeader: true });
  });

  it('isolating the leader, or naming groups, says whether the leader lost its quorum', () => {
    expect(planPartition({ kind: 'replica', target: { kind: 'leader' } }, ['n1', 'n2', 'n3'], 'n2', same)).toMatchObject({ groups: [['n2'], ['n1', 'n3']], removesLeader: true });
    expect(planPartition({ kind: 'replica', target: { kind: 'named', name: 'n3' } }, ['n1', 'n2', 'n3'], 'n2', same).removesLeader).toBe(false);
    expect(planPartition({ kind: 'groups', groups: [['n1'], ['n2', 'n3']] }, ['n1', 'n2', 'n3'], 'n1', same).removesLeader).toBe(true);
  });

  it('cuts both directions of every link between groups, and nothing inside one', () => {
    expect(linksAcross([['n1'], ['n2', 'n3']]).sort()).toEqual([['n1', 'n2'], ['n1', 'n3'], ['n2', 'n1'], ['n3', 'n1']]);
    expect(allLinks(['n1', 'n2', 'n3'])).toHaveLength(6);
  });

  it('layers faults on one link: a cut wins, delay and loss combine, nothing left is a clean link', () => {
    expect(combineLinkEffects([])).toEqual({ kind: 'pass' });
    expect(combineLinkEffects([{ kind: 'delay', delayMs: 50 }, { kind: 'cut' }])).toEqual({ kind: 'blackhole' });
    expect(combineLinkEffects([{ kind: 'delay', delayMs: 50 }, { kind: 'delay', delayMs: 80 }])).toEqual({ kind: 'delay', delayMs: 80 });
    expect(combineLinkEffects([{ kind: 'delay', delayMs: 50 }, { kind: 'loss', rate: 0.2 }])).toEqual({ kind: 'loss', rate: 0.2, retransmitDelayMs, delayMs: 50 });
  });
});
