import { silentLogger, type Logger } from '../common/index.ts';
import { assert } from '../common/index.ts';
import { decodeRevisionKey, keyToString } from './keys.ts';
import { decodeRecord, type StoreLayout, type StoredMeta } from './layout.ts';
import type { LeaseTable } from './lease-table.ts';
import { TreeIndex } from './tree-index.ts';

const rebuildReadBatchRecords = 1000;

/**
 * Rebuilds the in-memory index from the history at open (etcd does the same from its key bucket),
 * then re-attaches each live key to its lease. Records the compactor had not yet deleted are
 * included; the store reschedules compaction, which forgets them again.
 */
export async function rebuildIndex(layout: StoreLayout, meta: StoredMeta, leases: LeaseTable, logger: Logger = silentLogger): Promise<TreeIndex> {
  const index = new TreeIndex();
  const iterator = layout.kv.iterator();
  try {
    for (;;) {
      const entries = await iterator.nextv(rebuildReadBatchRecords);
      if (entries.length === 0) break;
      for (const [revisionKey, bytes] of entries) {
        const { main, sub } = decodeRevisionKey(revisionKey);
        assert(main <= meta.revision, () => `history record ${main} beyond the recorded revision ${meta.revision}`);
        const record = decodeRecord(bytes);
        const { tombstone, createRevision, version, lease } = record;
        index.append(keyToString(record.key), { main, sub, tombstone, createRevision, version, lease });
      }
    }
  } finally {
    await iterator.close();
  }
  for (const [key, history] of index.keysIn({ start: '', end: null, single: false })) {
    const latest = history.latest();
    if (latest === undefined || latest.tombstone || latest.lease === 0) continue;
    if (leases.has(latest.lease)) leases.attach(latest.lease, key);
    else logger.error({ lease: latest.lease }, 'key attached to a lease that does not exist');
  }
  return index;
}
