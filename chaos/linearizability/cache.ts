/**
 * Memo of visited search nodes, with dominance. A node is (placed operations, model state). Two
 * nodes with equal states and the same placed known-outcome operations differ only in which
 * unknown-outcome operations they placed; since an unknown one may also never happen and never
 * blocks anything, the node that placed fewer of them can do everything the other can. So a new
 * node is skipped if a visited one has equal state, the same known set and a subset of its
 * unknowns. Plain WGL memoization is the special case of equal sets; dominance is what keeps
 * timed-out writes from multiplying the search by 2^(number of timeouts).
 */
import type { Bitset } from './bitset.ts';
import { combineHashes } from './hash.ts';

/** Grows by doubling; the first allocation is small because most partitions are small. */
const INITIAL_CAPACITY = 256;
/** Bucket keys stay small integers, which V8's Map stores unboxed (no allocation per lookup). */
const BUCKET_KEY_MASK = 0x3fffffff;
const END_OF_BUCKET = -1;

/**
 * Visited sets live in one growing arena and buckets are chained through an index array, so
 * recording a node allocates nothing on the JS heap but the state itself: the search makes
 * hundreds of thousands of these, and garbage collection was most of its time.
 */
export class VisitedCache<State> {
  private readonly heads = new Map<number, number>();
  private readonly states: State[] = [];
  private nextInBucket = new Int32Array(INITIAL_CAPACITY);
  private arena: Uint32Array;

  constructor(
    private readonly equal: (a: State, b: State) => boolean,
    private readonly hashState: (state: State) => number,
    /** Bit set for every unknown-outcome operation; its length is the set's length in words. */
    private readonly unknownMask: Uint32Array,
  ) {
    this.arena = new Uint32Array(INITIAL_CAPACITY * unknownMask.length);
  }

  get size(): number {
    return this.states.length;
  }

  /**
   * Records the node unless a visited node dominates it; false when it was dominated. The set's
   * hash must cover only known-outcome operations, so that dominating nodes share a bucket.
   */
  add(placed: Bitset, state: State): boolean {
    const key = combineHashes(placed.hash, this.hashState(state)) & BUCKET_KEY_MASK;
    const head = this.heads.get(key) ?? END_OF_BUCKET;
    for (let seen = head; seen !== END_OF_BUCKET; seen = this.nextInBucket[seen] ?? END_OF_BUCKET) {
      // `seen` indexes a recorded node, so its state exists (and may itself be undefined).
      if (this.dominates(seen, placed.words) && this.equal(this.states[seen] as State, state)) return false;
    }
    const index = this.states.length;
    this.reserve(index + 1);
    this.arena.set(placed.words, index * this.unknownMask.length);
    this.nextInBucket[index] = head;
    this.heads.set(key, index);
    this.states.push(state);
    return true;
  }

  private reserve(count: number): void {
    if (count <= this.nextInBucket.length) return;
    const capacity = this.nextInBucket.length * 2;
    const next = new Int32Array(capacity);
    next.set(this.nextInBucket);
    this.nextInBucket = next;
    const arena = new Uint32Array(capacity * this.unknownMask.length);
    arena.set(this.arena);
    this.arena = arena;
  }

  /** Same known operations, and the seen node's unknown operations a subset of the current's. */
  private dominates(seen: number, current: Uint32Array): boolean {
    const base = seen * current.length;
    for (let i = 0; i < current.length; i++) {
      const s = this.arena[base + i] ?? 0;
      const c = current[i] ?? 0;
      const onlySeen = s & ~c;
      const knownOnlyCurrent = c & ~s & ~(this.unknownMask[i] ?? 0);
      if ((onlySeen | knownOnlyCurrent) !== 0) return false;
    }
    return true;
  }
}
