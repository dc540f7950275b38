/**
 * The set of operations linearized so far, with a Zobrist hash kept up to date on every change so
 * that memoizing a search node costs O(1) instead of hashing the whole set. Only some members
 * count towards the hash (see `zobristKeys`): nodes that may dominate each other must collide.
 */
import { mix32 } from './hash.ts';

export const BITS_PER_WORD = 32;

export function wordCount(size: number): number {
  return Math.ceil(size / BITS_PER_WORD);
}

/** A random-looking key per member, or 0 for members left out of the hash. */
export function zobristKeys(size: number, hashed: (index: number) => boolean): Uint32Array {
  const keys = new Uint32Array(size);
  for (let i = 0; i < size; i++) keys[i] = hashed(i) ? mix32(i + 1) : 0;
  return keys;
}

export class Bitset {
  readonly words: Uint32Array;
  private zobrist = 0;

  constructor(
    size: number,
    private readonly keys: Uint32Array,
  ) {
    this.words = new Uint32Array(wordCount(size));
  }

  get hash(): number {
    return this.zobrist;
  }

  has(index: number): boolean {
    return ((this.words[index >>> 5] ?? 0) & (1 << (index & 31))) !== 0;
  }

  /** Toggling is its own inverse, which is exactly what set and clear need for the hash. */
  private toggle(index: number): void {
    const word = index >>> 5;
    this.words[word] = (this.words[word] ?? 0) ^ (1 << (index & 31));
    this.zobrist = (this.zobrist ^ (this.keys[index] ?? 0)) >>> 0;
  }

  set(index: number): void {
    if (!this.has(index)) this.toggle(index);
  }

  clear(index: number): void {
    if (this.has(index)) this.toggle(index);
  }
}
