import type { Entry, LogStorage } from '../../raft/index.ts';

/** A LogStorage that counts the batches it handed out and not yet written or discarded. */
export class BatchAccountingLog<Batch> implements LogStorage<Batch> {
  private open = 0;

  constructor(private readonly inner: LogStorage<Batch>) {}

  get openBatches(): number {
    return this.open;
  }

  batch(): Batch {
    this.open++;
    return this.inner.batch();
  }

  async write(batch: Batch, options: { readonly sync: boolean }): Promise<void> {
    this.open--;
    await this.inner.write(batch, options);
  }

  async discard(batch: Batch): Promise<void> {
    this.open--;
    await this.inner.discard(batch);
  }

  append(batch: Batch, entries: readonly Entry[]): void {
    this.inner.append(batch, entries);
  }

  truncateAfter(batch: Batch, index: number): void {
    this.inner.truncateAfter(batch, index);
  }

  compact(batch: Batch, index: number): void {
    this.inner.compact(batch, index);
  }

  firstIndex(): number {
    return this.inner.firstIndex();
  }

  lastIndex(): number {
    return this.inner.lastIndex();
  }

  entries(fromIndex: number, toIndexExclusive: number, bytesMax: number): Promise<readonly Entry[]> {
    return this.inner.entries(fromIndex, toIndexExclusive, bytesMax);
  }
}
