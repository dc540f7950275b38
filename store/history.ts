import type { StoreEvent } from './apply-context.ts';
import { decodeRevisionKey, encodeRevisionKey, intervalContains, keyToString, type KeyInterval, type Revision } from './keys.ts';
import { decodeRecord, type StoreLayout, type StoredRecord } from './layout.ts';
import { recordToKeyValue } from './record-reader.ts';
import { StoreLimits } from './store-limits.ts';
import type { TreeIndex } from './tree-index.ts';
import type { KeyValue } from './types.ts';

/**
 * Reads committed history for watch catch-up: records from `fromRevision` up to `toRevision`,
 * stopping after about `recordsMax` records but never inside a revision (a txn's events stay
 * together). It scans every record of those revisions, as etcd's unsynced watchers do; the key
 * interval only filters.
 */
export async function readHistory(
  layout: StoreLayout,
  index: TreeIndex,
  range: { readonly fromRevision: number; readonly toRevision: number },
  interval: KeyInterval,
  wantPrevKv: boolean,
  recordsMax: number = StoreLimits.watchCatchUpRecordsPerStep,
): Promise<{ events: StoreEvent[]; nextRevision: number }> {
  const matched: [Revision, StoredRecord][] = [];
  let nextRevision = range.toRevision + 1;
  let scanned = 0;
  let lastMain = 0;
  const iterator = layout.kv.iterator({ gte: encodeRevisionKey(range.fromRevision, 0), lt: encodeRevisionKey(range.toRevision + 1, 0) });
  try {
    for await (const [revisionKey, bytes] of iterator) {
      const revision = decodeRevisionKey(revisionKey);
      if (scanned >= recordsMax && revision.main !== lastMain) {
        nextRevision = revision.main;
        break;
      }
      scanned++;
      lastMain = revision.main;
      const record = decodeRecord(bytes);
      if (intervalContains(interval, keyToString(record.key))) matched.push([revision, record]);
    }
  } finally {
    await iterator.close();
  }
  const previous = wantPrevKv ? await readPrevious(layout, index, matched) : [];
  const events = matched.map(([, record], position): StoreEvent => ({
    type: record.tombstone ? 'delete' : 'put',
    key: keyToString(record.key),
    kv: recordToKeyValue(record),
    prevKv: previous[position] ?? null,
  }));
  return { events, nextRevision };
}

/**
 * The version each event replaced, found through the index. A record the compactor removed in the
 * meantime yields null; the hub then notices the compaction and cancels the watcher.
 */
async function readPrevious(layout: StoreLayout, index: TreeIndex, matched: readonly [Revision, StoredRecord][]): Promise<(KeyValue | null)[]> {
  const previousRevisions = matched.map(([revision, record]) => {
    const entry = index.get(keyToString(record.key))?.previous(revision.main, revision.sub);
    return entry === undefined || entry.tombstone ? null : entry;
  });
  const wanted = previousRevisions.filter((entry) => entry !== null);
  const values = await layout.kv.getMany(wanted.map(({ main, sub }) => encodeRevisionKey(main, sub)));
  let next = 0;
  return previousRevisions.map((entry) => {
    if (entry === null) return null;
    const bytes = values[next++];
    return bytes === undefined ? null : recordToKeyValue(decodeRecord(bytes));
  });
}
