import { assert } from '../common/index.ts';

/** Keys per chunk; a chunk that grows past this splits in two. */
const chunkKeysMax = 512;

/**
 * An ordered set of strings with O(log n + chunk) insert and delete and ordered iteration from any
 * point. A flat sorted array would cost O(n) per insert (a memmove of the whole array), which
 * matters with a million keys; chunks of at most `chunkKeysMax` keep every splice small.
 */
export class SortedKeys {
  private readonly chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  insert(key: string): void {
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) {
      this.chunks.push([key]);
      this.count++;
      return;
    }
    const position = lowerBound(chunk, key);
    if (chunk[position] === key) return;
    chunk.splice(position, 0, key);
    this.count++;
    if (chunk.length > chunkKeysMax) this.chunks.splice(chunkIndex + 1, 0, chunk.splice(chunk.length >> 1));
  }

  delete(key: string): boolean {
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) return false;
    const position = lowerBound(chunk, key);
    if (chunk[position] !== key) return false;
    chunk.splice(position, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(chunkIndex, 1);
    return true;
  }

  /** Keys in [start, end) in ascending order (`end === null`: to the last key). Do not mutate while iterating. */
  *range(start: string, end: string | null): Generator<string> {
    let chunkIndex = this.chunkFor(start);
    let position = lowerBound(this.chunks[chunkIndex] ?? [], start);
    for (; chunkIndex < this.chunks.length; chunkIndex++, position = 0) {
      const chunk = this.chunks[chunkIndex];
      assert(chunk !== undefined, 'chunk in bounds');
      for (; position < chunk.length; position++) {
        const key = chunk[position];
        assert(key !== undefined, 'key in bounds');
        if (end !== null && key >= end) return;
        yield key;
      }
    }
  }

  /** The chunk whose first key is the greatest one <= key (or the first chunk). */
  private chunkFor(key: string): number {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      const first = this.chunks[middle]?.[0];
      assert(first !== undefined, 'chunks are never empty');
      if (first <= key) low = middle;
      else high = middle - 1;
    }
    return Math.max(low, 0);
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((sorted[middle] ?? '') < key) low = middle + 1;
    else high = middle;
  }
  return low;
}
