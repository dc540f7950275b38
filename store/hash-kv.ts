import { createHash, type Hash } from 'node:crypto';
import { decodeRevisionKey, encodeRevisionKey, keyToString } from './keys.ts';
import { decodeRecord, readMeta, type StoreLayout } from './layout.ts';
import { checkReadRevision } from './read-revision.ts';
import type { HashKvResult } from './types.ts';

/**
 * A content hash of the retained history, comparable across replicas (etcd's HashKV). It covers,
 * in revision order, (revision key, record bytes) of every record the store logically retains up
 * to `revision`: all records above the compact revision, and at or below it only each key's
 * latest non-tombstone record. That rule is evaluated on the records themselves, so records the
 * background compactor has not deleted yet do not change the hash. Everything comes from one
 * LevelDB snapshot, so the hash, revision and compact revision are mutually consistent.
 */
export async function hashKv(layout: StoreLayout, revision?: number): Promise<HashKvResult> {
  const snapshot = layout.root.snapshot();
  try {
    const meta = await readMeta(layout, snapshot);
    const upTo = revision === undefined || revision === 0 ? meta.revision : revision;
    checkReadRevision(meta, upTo);
    const hash = createHash('sha256');
    const retainedBelow = new Map<string, [Uint8Array, Uint8Array]>();
    let flushed = false;
    for await (const [revisionKey, bytes] of layout.kv.iterator({ lt: encodeRevisionKey(upTo + 1, 0), snapshot })) {
      const { main } = decodeRevisionKey(revisionKey);
      if (main <= meta.compactRevision) {
        retainedBelow.set(keyToString(decodeRecord(bytes).key), [revisionKey, bytes]);
        continue;
      }
      if (!flushed) flushed = flushRetained(hash, retainedBelow);
      updateRecord(hash, revisionKey, bytes);
    }
    if (!flushed) flushRetained(hash, retainedBelow);
    const leasesHash = createHash('sha256');
    for await (const [key, value] of layout.lease.iterator({ snapshot })) updateRecord(leasesHash, key, value);
    return {
      hash: hash.digest('hex'),
      leasesHash: leasesHash.digest('hex'),
      revision: upTo,
      compactRevision: meta.compactRevision,
      appliedIndex: meta.appliedIndex,
    };
  } finally {
    await snapshot.close();
  }
}

/** Hashes each key's latest record at or below the compact revision, unless it is a tombstone. */
function flushRetained(hash: Hash, retained: Map<string, [Uint8Array, Uint8Array]>): true {
  const records = [...retained.values()]
    .filter(([, bytes]) => !decodeRecord(bytes).tombstone)
    .sort(([left], [right]) => Buffer.compare(left, right));
  for (const [revisionKey, bytes] of records) updateRecord(hash, revisionKey, bytes);
  return true;
}

function updateRecord(hash: Hash, key: Uint8Array, value: Uint8Array): void {
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(key.byteLength, 0);
  lengths.writeUInt32BE(value.byteLength, 4);
  hash.update(lengths);
  hash.update(key);
  hash.update(value);
}
