/**
 * The batch type of the in-memory storages: staged operations run in order on `write`, which is
 * as atomic as a synchronous loop can be.
 */
export class MemoryBatch {
  readonly operations: Array<() => void> = [];

  add(operation: () => void): void {
    this.operations.push(operation);
  }
}

export function writeMemoryBatch(batch: MemoryBatch): void {
  for (const operation of batch.operations) operation();
  batch.operations.length = 0;
}
