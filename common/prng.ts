/**
 * A seeded pseudo-random number generator (xoshiro128**, seeded through splitmix32).
 * Everything that needs randomness takes a `Prng` so that a seed replays a run exactly.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [minInclusive, maxExclusive). */
  nextInt(minInclusive: number, maxExclusive: number): number;
  /** True with the given probability. */
  chance(probability: number): boolean;
  /** A new generator whose sequence is derived from (and independent of further draws on) this one. */
  fork(): Prng;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    // An all-zero state would only ever produce zeros.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  private nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotateLeft(this.d, 11);
    return result;
  }

  next(): number {
    return this.nextUint32() / 4294967296;
  }

  nextInt(minInclusive: number, maxExclusive: number): number {
    if (maxExclusive <= minInclusive) return minInclusive;
    return minInclusive + Math.floor(this.next() * (maxExclusive - minInclusive));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  fork(): Prng {
    return new Xoshiro128(this.nextUint32());
  }
}

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

export function createPrng(seed: number): Prng {
  return new Xoshiro128(seed);
}
