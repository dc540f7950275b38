import type { Revision } from './keys.ts';
import type { StoredRecord } from './layout.ts';
import { DatabaseRecordReader, type RecordReader } from './record-reader.ts';
import type { BytesSublevel, DatabaseSnapshot } from './layout.ts';

/** What one cached record is charged beyond its key and value (the object, the map slot, the id). */
const recordOverheadBytes = 120;

/**
 * History records by revision, least recently used first, bounded by bytes. A record never
 * changes once written (a revision names one write), so a cached copy is never stale; one the
 * compactor has deleted can no longer be asked for (the index no longer points at it) and simply
 * ages out.
 */
export class RecordCache {
  private readonly records = new Map<string, StoredRecord>();
  private bytes = 0;

  constructor(private readonly bytesMax: number) {}

  get(revision: Revision): StoredRecord | undefined {
    const id = cacheId(revision);
    const record = this.records.get(id);
    if (record !== undefined) {
      // Re-inserted: a Map iterates in insertion order, so the first entry is the least recently used.
      this.records.delete(id);
      this.records.set(id, record);
    }
    return record;
  }

  add(revision: Revision, record: StoredRecord): void {
    const id = cacheId(revision);
    const size = sizeOf(record);
    if (size > this.bytesMax || this.records.has(id)) return;
    this.records.set(id, record);
    this.bytes += size;
    for (const [oldestId, oldest] of this.records) {
      if (this.bytes <= this.bytesMax) break;
      this.records.delete(oldestId);
      this.bytes -= sizeOf(oldest);
    }
  }
}

function cacheId(revision: Revision): string {
  return `${revision.main}.${revision.sub}`;
}

function sizeOf(record: StoredRecord): number {
  return record.key.byteLength + record.value.byteLength + recordOverheadBytes;
}

/**
 * Reads through the cache; misses come from LevelDB through a snapshot opened at the first miss.
 * `read` is called in the same synchronous run as the caller's plan (see MvccStore.range), so
 * the snapshot still shows every record the plan points at, whatever the compactor does next.
 */
export class CachedRecordReader implements RecordReader {
  constructor(
    private readonly kv: BytesSublevel,
    private readonly cache: RecordCache,
    private readonly openSnapshot: () => DatabaseSnapshot,
  ) {}

  async read(revisions: readonly Revision[]): Promise<StoredRecord[]> {
    const found = revisions.map((revision) => this.cache.get(revision));
    const missing = revisions.filter((_, position) => found[position] === undefined);
    if (missing.length === 0) return found as StoredRecord[];
    const snapshot = this.openSnapshot();
    let fetched: StoredRecord[];
    try {
      fetched = await new DatabaseRecordReader(this.kv, snapshot).read(missing);
    } finally {
      await snapshot.close();
    }
    missing.forEach((revision, position) => {
      const record = fetched[position];
      if (record !== undefined) this.cache.add(revision, record);
    });
    let next = 0;
    return found.map((record) => record ?? (fetched[next++] as StoredRecord));
  }
}
