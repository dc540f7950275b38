import { ForwardingLogStorage } from '../../raft/index.ts';

/** A LogStorage that counts the batches it handed out and not yet written or discarded. */
export class BatchAccountingLog<Batch> extends ForwardingLogStorage<Batch> {
  private open = 0;

  get openBatches(): number {
    return this.open;
  }

  override batch(): Batch {
    this.open++;
    return super.batch();
  }

  override write(batch: Batch, options: { readonly sync: boolean }): Promise<void> {
    this.open--;
    return super.write(batch, options);
  }

  override discard(batch: Batch): Promise<void> {
    this.open--;
    return super.discard(batch);
  }
}
