import type { Entry } from './types.ts';
import type { LogStorage } from './log-storage.ts';

/**
 * A LogStorage that passes every call to another one: extend it and override only what a wrapper
 * adds (timing the synced writes, counting open batches) instead of restating the whole port.
 */
export class ForwardingLogStorage<Batch> implements LogStorage<Batch> {
  constructor(protected readonly inner: LogStorage<Batch>) {}

  batch(): Batch {
    return this.inner.batch();
  }

  write(batch: Batch, options: { readonly sync: boolean }): Promise<void> {
    return this.inner.write(batch, options);
  }

  discard(batch: Batch): Promise<void> {
    return this.inner.discard(batch);
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
