import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { createPrng } from '../../common/index.ts';

describe('seeded PRNG', () => {
  it('replays the same sequence for the same seed', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const drawsA = Array.from({ length: 100 }, () => a.next());
    const drawsB = Array.from({ length: 100 }, () => b.next());
    expect(drawsA).toEqual(drawsB);
  });

  it('gives different sequences for different seeds', () => {
    const a = createPrng(1);
    const b = createPrng(2);
    expect(Array.from({ length: 8 }, () => a.next())).not.toEqual(Array.from({ length: 8 }, () => b.next()));
  });

  it('forks a stream that is independent of later draws on the parent', () => {
    const parent = createPrng(7);
    const child = parent.fork();
    const childDraws = [child.next(), child.next()];
    const again = createPrng(7).fork();
    expect([again.next(), again.next()]).toEqual(childDraws);
  });

  it('spreads integers over the whole range, roughly uniformly', () => {
    const prng = createPrng(3);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[prng.nextInt(0, 10)]! += 1;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(600);
  });

  test.prop([fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 100 })])(
    'nextInt stays within [min, max)',
    (seed, min, width) => {
      const prng = createPrng(seed);
      for (let i = 0; i < 50; i++) {
        const value = prng.nextInt(min, min + width);
        expect(value).toBeGreaterThanOrEqual(min);
        expect(value).toBeLessThan(min + width);
        expect(Number.isInteger(value)).toBe(true);
      }
    },
  );
});
