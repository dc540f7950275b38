import { ErrorCode, FlotillaError } from '../common/index.ts';
import { encodeRevisionKey, type Revision } from './keys.ts';
import { decodeRecord, type BytesSublevel, type DatabaseSnapshot, type StoredRecord } from './layout.ts';
import { StoreLimits } from './store-limits.ts';
import type { KeyValue } from './types.ts';

/** Reads history records by revision: committed ones from LevelDB, in-flight ones from an apply overlay. */
export interface RecordReader {
  read(revisions: readonly Revision[]): Promise<StoredRecord[]>;
}

/**
 * Reads from LevelDB in bounded getMany batches. With an explicit snapshot, every batch sees the
 * same state even if the background compactor deletes records between two batches.
 */
export class DatabaseRecordReader implements RecordReader {
  constructor(
    private readonly kv: BytesSublevel,
    private readonly snapshot?: DatabaseSnapshot,
  ) {}

  async read(revisions: readonly Revision[]): Promise<StoredRecord[]> {
    const records: StoredRecord[] = [];
    for (let start = 0; start < revisions.length; start += StoreLimits.valueFetchBatchKeys) {
      const keys = revisions.slice(start, start + StoreLimits.valueFetchBatchKeys).map(({ main, sub }) => encodeRevisionKey(main, sub));
      const values = this.snapshot === undefined ? await this.kv.getMany(keys) : await this.kv.getMany(keys, { snapshot: this.snapshot });
      values.forEach((bytes, offset) => {
        const revision = revisions[start + offset];
        if (bytes === undefined) throw missingRecord(revision);
        records.push(decodeRecord(bytes));
      });
    }
    return records;
  }
}

export function missingRecord(revision: Revision | undefined): FlotillaError {
  return new FlotillaError(ErrorCode.storeCorrupt, `history record ${revision?.main ?? '?'}.${revision?.sub ?? '?'} is missing`);
}

export function recordToKeyValue(record: StoredRecord): KeyValue {
  return {
    key: record.key,
    value: record.value,
    createRevision: record.createRevision,
    modRevision: record.modRevision,
    version: record.version,
    lease: record.lease,
  };
}
