import { encodeRevisionKey, keyToString, type Revision } from './keys.ts';
import { encodeMeta, encodeRecord, formatVersion, metaStateKey, type StoreBatch, type StoreLayout, type StoredMeta, type StoredRecord } from './layout.ts';
import type { LeaseTable } from './lease-table.ts';
import { DatabaseRecordReader, type RecordReader } from './record-reader.ts';
import type { TreeIndex } from './tree-index.ts';
import type { KeyValue } from './types.ts';

/** A change as the watch hub sees it; `prevKv` is filled only when some watcher wants it. */
export interface StoreEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  readonly kv: KeyValue;
  readonly prevKv: KeyValue | null;
}

/**
 * The working state of one apply batch. Writes go to the caller's batch and to an overlay, because
 * later commands of the same batch must read them before the batch reaches LevelDB. The index and
 * lease table are updated in place (they are the store's, not copies): if the batch then fails to
 * write, memory is ahead of disk and the store refuses further use until reopened.
 */
export class ApplyContext implements RecordReader {
  private readonly pending = new Map<string, StoredRecord>();
  private readonly database: DatabaseRecordReader;
  readonly events: StoreEvent[] = [];
  /** Live records written by this batch, for the store's record cache once the batch is written. */
  readonly written: { readonly revision: Revision; readonly record: StoredRecord }[] = [];
  appliedIndex: number;
  appliedTerm: number;
  /** The latest revision, including this batch's writes so far. */
  revision: number;
  compactRevision: number;
  /** Bumped by every write; lets the caller prove a refused command wrote nothing. */
  writeCount = 0;

  constructor(
    readonly layout: StoreLayout,
    readonly batch: StoreBatch,
    readonly index: TreeIndex,
    readonly leases: LeaseTable,
    meta: StoredMeta,
    /** Whether live events need prevKv (a prevKv watcher exists); decided once per batch. */
    readonly eventsNeedPrevKv: boolean,
  ) {
    this.database = new DatabaseRecordReader(layout.kv);
    this.appliedIndex = meta.appliedIndex;
    this.appliedTerm = meta.appliedTerm;
    this.revision = meta.revision;
    this.compactRevision = meta.compactRevision;
  }

  writeRecord(sub: number, record: StoredRecord): void {
    const revisionKey = encodeRevisionKey(record.modRevision, sub);
    this.batch.put(revisionKey, encodeRecord(record), { sublevel: this.layout.kv });
    this.pending.set(keyToString(revisionKey), record);
    this.writeCount++;
    if (!record.tombstone) this.written.push({ revision: { main: record.modRevision, sub }, record: plainCopy(record) });
  }

  async read(revisions: readonly Revision[]): Promise<StoredRecord[]> {
    const fromOverlay = revisions.map(({ main, sub }) => this.pending.get(keyToString(encodeRevisionKey(main, sub))));
    const missing = revisions.filter((_, position) => fromOverlay[position] === undefined);
    const fromDatabase = await this.database.read(missing);
    let next = 0;
    return fromOverlay.map((record) => record ?? (fromDatabase[next++] as StoredRecord));
  }

  meta(): StoredMeta {
    return {
      formatVersion,
      appliedIndex: this.appliedIndex,
      appliedTerm: this.appliedTerm,
      revision: this.revision,
      compactRevision: this.compactRevision,
    };
  }

  writeMeta(): void {
    this.batch.put(metaStateKey, encodeMeta(this.meta()), { sublevel: this.layout.meta });
  }
}

/**
 * For the record cache: plain Uint8Array copies, as LevelDB reads give (ranges compare equal
 * either way), which also keeps a cached record from pinning the network frame its request's
 * bytes may be views into.
 */
function plainCopy(record: StoredRecord): StoredRecord {
  return { ...record, key: new Uint8Array(record.key), value: new Uint8Array(record.value) };
}
