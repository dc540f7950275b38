import { assert } from '../common/index.ts';
import type { LogStorage } from './log-storage.ts';
import { MemoryBatch, writeMemoryBatch } from './memory-batch.ts';
import type { Entry } from './types.ts';

/** `LogStorage` in memory, for tests and the simulator. Staged writes touch nothing until `write`. */
export class MemoryLogStorage implements LogStorage<MemoryBatch> {
  /** Index of the last compacted entry (0: nothing compacted). */
  private offset = 0;
  private log: Entry[] = [];
  /** What `firstIndex`/`lastIndex` answer: staged writes included, as the LevelDB backend does. */
  private stagedOffset = 0;
  private stagedLastIndex = 0;

  batch(): MemoryBatch {
    return new MemoryBatch();
  }

  write(batch: MemoryBatch): Promise<void> {
    writeMemoryBatch(batch);
    return Promise.resolve();
  }

  discard(): Promise<void> {
    return Promise.resolve();
  }

  append(batch: MemoryBatch, entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index > this.stagedOffset, () => `append at ${first.index} into compacted log (offset ${this.stagedOffset})`);
    assert(first.index <= this.stagedLastIndex + 1, () => `append at ${first.index} leaves a gap after ${this.stagedLastIndex}`);
    const copy = [...entries];
    batch.add(() => {
      this.log = this.log.slice(0, first.index - this.offset - 1).concat(copy);
    });
    this.stagedLastIndex = first.index + entries.length - 1;
  }

  truncateAfter(batch: MemoryBatch, index: number): void {
    if (index >= this.stagedLastIndex) return;
    batch.add(() => {
      this.log = this.log.slice(0, Math.max(0, index - this.offset));
    });
    this.stagedLastIndex = Math.max(index, this.stagedOffset);
  }

  compact(batch: MemoryBatch, index: number): void {
    if (index <= this.stagedOffset) return;
    batch.add(() => {
      this.log = this.log.slice(Math.min(this.log.length, index - this.offset));
      this.offset = index;
    });
    this.stagedOffset = index;
    this.stagedLastIndex = Math.max(this.stagedLastIndex, index);
  }

  firstIndex(): number {
    return this.stagedOffset + 1;
  }

  lastIndex(): number {
    return this.stagedLastIndex;
  }

  entries(fromIndex: number, toIndexExclusive: number, bytesMax: number): Promise<readonly Entry[]> {
    const result: Entry[] = [];
    let bytes = 0;
    for (let index = Math.max(fromIndex, this.offset + 1); index < toIndexExclusive; index++) {
      const entry = this.log[index - this.offset - 1];
      if (entry === undefined) break;
      bytes += entry.type === 'normal' ? entry.data.length : 0;
      if (result.length > 0 && bytes > bytesMax) break;
      result.push(entry);
    }
    return Promise.resolve(result);
  }
}
