import { describe, expect, it } from 'vitest';
import { Network } from './helpers.ts';

describe('smoke', () => {
  it('elects a leader and replicates', () => {
    const net = new Network(['n1', 'n2', 'n3']);
    net.elect('n1');
    expect(net.propose('n1', 'a').ok).toBe(true);
    net.stabilize();
    for (const id of ['n1', 'n2', 'n3']) expect(net.node(id).applied).toEqual(['a']);
    net.tickAll(50);
    expect(net.leaders()).toEqual(['n1']);
  });
});
