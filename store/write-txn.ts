import { assert } from '../common/index.ts';
import type { ApplyContext } from './apply-context.ts';
import type { IndexEntry } from './key-history.ts';
import { keyInterval, keyToString, stringToKey } from './keys.ts';
import type { StoredRecord } from './layout.ts';
import { recordToKeyValue } from './record-reader.ts';
import type { DeleteRangeRequest, DeleteRangeResponse, KeyValue, PutRequest, PutResponse, ResponseHeader } from './types.ts';

/**
 * One write transaction: all its writes share the main revision `ctx.revision + 1` and are ordered
 * by sub-revision (etcd's model). A txn that writes nothing does not bump the revision. Callers
 * validate first (leases exist, ignore* keys exist, no duplicate keys); nothing here can refuse.
 */
export class WriteTxn {
  readonly main: number;
  private sub = 0;
  /** Shared by every response of the txn and settled by finish(), when the final revision is known. */
  readonly header: { revision: number };

  constructor(private readonly ctx: ApplyContext) {
    this.main = ctx.revision + 1;
    this.header = { revision: ctx.revision };
  }

  /** Reads inside the txn see its own earlier writes (they are in the index at `main`). */
  get readRevision(): number {
    return this.main;
  }

  async put(request: PutRequest): Promise<PutResponse> {
    const key = keyToString(request.key);
    const current = this.ctx.index.get(key)?.liveAt(this.main);
    const needPrevious = current !== undefined && (request.prevKv || request.ignoreValue || this.ctx.eventsNeedPrevKv);
    const previous = needPrevious ? await this.readOne(current) : null;
    const lease = request.ignoreLease ? (current?.lease ?? 0) : request.lease;
    const record: StoredRecord = {
      key: request.key,
      value: request.ignoreValue ? (previous?.value ?? new Uint8Array(0)) : request.value,
      createRevision: current?.createRevision ?? this.main,
      modRevision: this.main,
      version: (current?.version ?? 0) + 1,
      lease,
      tombstone: false,
    };
    this.write(key, record);
    if (current !== undefined && current.lease !== 0 && current.lease !== lease) this.ctx.leases.detach(current.lease, key);
    if (lease !== 0) this.ctx.leases.attach(lease, key);
    this.ctx.events.push({ type: 'put', key, kv: recordToKeyValue(record), prevKv: this.ctx.eventsNeedPrevKv ? previous : null });
    return { header: this.header, prevKv: request.prevKv ? previous : null };
  }

  async deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    const live: [string, IndexEntry][] = [];
    for (const [key, history] of this.ctx.index.keysIn(keyInterval(request.key, request.rangeEnd))) {
      const entry = history.liveAt(this.main);
      if (entry !== undefined) live.push([key, entry]);
    }
    const prevKvs = await this.deleteLive(live, request.prevKv);
    return { header: this.header, deleted: live.length, prevKvs };
  }

  /** Deletes the given keys (those that exist), in the given order; used by lease revocation. */
  async deleteKeys(keys: readonly string[]): Promise<number> {
    const live: [string, IndexEntry][] = [];
    for (const key of keys) {
      const entry = this.ctx.index.get(key)?.liveAt(this.main);
      if (entry !== undefined) live.push([key, entry]);
    }
    await this.deleteLive(live, false);
    return live.length;
  }

  /** Settles the txn: its revision becomes the store's if it wrote anything. */
  finish(): ResponseHeader {
    if (this.sub > 0) this.ctx.revision = this.main;
    this.header.revision = this.ctx.revision;
    return this.header;
  }

  private async deleteLive(live: readonly [string, IndexEntry][], wantPrevious: boolean): Promise<KeyValue[]> {
    const needPrevious = wantPrevious || this.ctx.eventsNeedPrevKv;
    const previous = needPrevious ? (await this.ctx.read(live.map(([, entry]) => entry))).map(recordToKeyValue) : [];
    live.forEach(([key, entry], position) => {
      const record: StoredRecord = {
        key: stringToKey(key),
        value: new Uint8Array(0),
        createRevision: 0,
        modRevision: this.main,
        version: 0,
        lease: 0,
        tombstone: true,
      };
      this.write(key, record);
      if (entry.lease !== 0) this.ctx.leases.detach(entry.lease, key);
      const prevKv = this.ctx.eventsNeedPrevKv ? (previous[position] ?? null) : null;
      this.ctx.events.push({ type: 'delete', key, kv: recordToKeyValue(record), prevKv });
    });
    return wantPrevious ? previous : [];
  }

  private async readOne(entry: IndexEntry): Promise<KeyValue> {
    const [record] = await this.ctx.read([entry]);
    assert(record !== undefined, 'read returns one record per revision');
    return recordToKeyValue(record);
  }

  private write(key: string, record: StoredRecord): void {
    const sub = this.sub++;
    this.ctx.writeRecord(sub, record);
    this.ctx.index.append(key, {
      main: this.main,
      sub,
      tombstone: record.tombstone,
      createRevision: record.createRevision,
      version: record.version,
      lease: record.lease,
    });
  }
}
