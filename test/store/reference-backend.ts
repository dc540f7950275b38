import { Buffer } from 'node:buffer';
import { ErrorCode, FlotillaError } from '../../common/index.ts';
import type {
  Bytes,
  CallOptions,
  Compare,
  DeleteRangeRequest,
  DeleteRangeResponse,
  EtcdBackend,
  KeyValue,
  LocalHeader,
  Member,
  MemberIdentity,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseOp,
  TxnRequest,
  TxnResponse,
  WatchEvent,
  WatchListener,
  WatchRequest,
  WatchStart,
} from '../../store/etcd-api/backend.ts';
import { etcdBackendError } from '../../store/etcd-api/etcd-errors.ts';
import { rangeContains } from '../../store/etcd-api/validate-kv.ts';

/**
 * TEST FIXTURE: a small in-memory etcd, only for unit tests of the API mapping layer (wire
 * encoding, validation, error statuses, watch stream protocol). It keeps a full copy of the key
 * space per revision, never expires leases and serves one member. The product backends are
 * store/etcd-api/local-backend.ts (the MVCC store) and the replicated one.
 */

type State = ReadonlyMap<string, KeyValue>;

const keyOf = (bytes: Bytes): string => Buffer.from(bytes).toString('latin1');

interface ReferenceWatcher {
  readonly request: WatchRequest;
  readonly listener: WatchListener;
  synced: boolean;
  active: boolean;
}

export class ReferenceBackend implements EtcdBackend {
  private revision = 1;
  private compactRevision = 0;
  private readonly states = new Map<number, State>([[1, new Map()]]);
  private readonly eventsByRevision = new Map<number, WatchEvent[]>();
  private readonly watchers = new Set<ReferenceWatcher>();
  private readonly leases = new Map<number, { ttlSeconds: number; grantedTtlSeconds: number }>();
  private nextLeaseId = 0x1000;
  private members: Member[] = [
    { id: 0xabcdefn, name: 'reference', peerUrls: ['http://127.0.0.1:2380'], clientUrls: [], isLearner: false },
  ];
  /** Calls seen, so tests can check what reached the backend (e.g. serializable reads). */
  readonly calls: { method: string; serializable?: boolean }[] = [];

  identity(): MemberIdentity {
    return { clusterId: 0xfeedbeefcafef00dn, memberId: 0xabcdefn };
  }

  localHeader(): LocalHeader {
    return { revision: this.revision, raftTerm: 7 };
  }

  private state(revision: number): State {
    if (revision > this.revision) throw new FlotillaError(ErrorCode.storeFutureRevision, 'future revision');
    if (revision < this.compactRevision) throw new FlotillaError(ErrorCode.storeCompacted, 'compacted');
    const state = this.states.get(revision);
    if (state === undefined) throw new FlotillaError(ErrorCode.storeCompacted, 'compacted');
    return state;
  }

  async range(request: RangeRequest, options: CallOptions & { serializable: boolean }): Promise<RangeResponse> {
    this.calls.push({ method: 'range', serializable: options.serializable });
    return this.rangeAt(request);
  }

  private rangeAt(request: RangeRequest): RangeResponse {
    const requested = request.revision ?? 0;
    const revision = requested > 0 ? requested : this.revision;
    const matching = [...this.state(revision).values()]
      .filter((kv) => rangeContains(request.key, request.rangeEnd ?? new Uint8Array(), kv.key))
      .sort((a, b) => Buffer.compare(a.key, b.key));
    if (request.sortOrder === 'descend') matching.reverse();
    const limit = request.limit ?? 0;
    const limited = limit > 0 ? matching.slice(0, limit) : matching;
    const kvs = request.countOnly ? [] : limited.map((kv) => (request.keysOnly ? { ...kv, value: new Uint8Array() } : kv));
    return { header: { revision: this.revision }, kvs, more: limited.length < matching.length, count: matching.length };
  }

  async put(request: PutRequest): Promise<PutResponse> {
    this.calls.push({ method: 'put' });
    const responses = this.write([{ type: 'put', request }]);
    const first = responses[0];
    if (first?.type !== 'put') throw new Error('unreachable');
    return first.response;
  }

  async deleteRange(request: DeleteRangeRequest): Promise<DeleteRangeResponse> {
    const responses = this.write([{ type: 'deleteRange', request }]);
    const first = responses[0];
    if (first?.type !== 'deleteRange') throw new Error('unreachable');
    return first.response;
  }

  async txn(request: TxnRequest): Promise<TxnResponse> {
    const succeeded = request.compare.every((compare) => this.compare(compare));
    const responses = this.write(succeeded ? request.success : request.failure);
    return { header: { revision: this.revision }, succeeded, responses };
  }

  private compare(compare: Compare): boolean {
    const kv = this.state(this.revision).get(keyOf(compare.key));
    let order: number;
    if (compare.target === 'value') {
      if (kv === undefined) return false;
      order = Buffer.compare(kv.value, compare.value);
    } else if (compare.target === 'version') order = (kv?.version ?? 0) - compare.version;
    else if (compare.target === 'create') order = (kv?.createRevision ?? 0) - compare.createRevision;
    else if (compare.target === 'mod') order = (kv?.modRevision ?? 0) - compare.modRevision;
    else order = (kv?.lease ?? 0) - compare.lease;
    const sign = Math.sign(order);
    return { equal: sign === 0, notEqual: sign !== 0, greater: sign > 0, less: sign < 0 }[compare.result];
  }

  /** Applies ops as one revision (if anything changed) and notifies watchers. */
  private write(ops: readonly RequestOp[]): ResponseOp[] {
    const next = new Map(this.state(this.revision));
    const events: WatchEvent[] = [];
    const revision = this.revision + 1;
    const responses = ops.map((op) => this.applyOp(op, next, events, revision));
    if (events.length > 0) {
      this.revision = revision;
      this.states.set(revision, next);
      this.eventsByRevision.set(revision, events);
      for (const watcher of this.watchers) this.deliver(watcher, revision, revision);
    }
    const header = { revision: this.revision };
    return responses.map((response) => ({ ...response, response: { ...response.response, header } }) as ResponseOp);
  }

  private applyOp(op: RequestOp, next: Map<string, KeyValue>, events: WatchEvent[], revision: number): ResponseOp {
    const header = { revision };
    switch (op.type) {
      case 'range':
        return { type: 'range', response: this.rangeAt(op.request) };
      case 'put': {
        const previous = next.get(keyOf(op.request.key)) ?? null;
        if (op.request.lease !== 0 && !this.leases.has(op.request.lease)) {
          throw new FlotillaError(ErrorCode.storeLeaseNotFound, 'lease not found');
        }
        const kv: KeyValue = {
          key: op.request.key,
          value: op.request.ignoreValue && previous !== null ? previous.value : op.request.value,
          createRevision: previous?.createRevision ?? revision,
          modRevision: revision,
          version: (previous?.version ?? 0) + 1,
          lease: op.request.lease,
        };
        next.set(keyOf(kv.key), kv);
        events.push({ type: 'put', kv, prevKv: previous });
        return { type: 'put', response: { header, prevKv: op.request.prevKv ? previous : null } };
      }
      case 'deleteRange': {
        const deleted = [...next.values()].filter((kv) => rangeContains(op.request.key, op.request.rangeEnd, kv.key));
        for (const kv of deleted) {
          next.delete(keyOf(kv.key));
          const tombstone = { key: kv.key, value: new Uint8Array(), createRevision: 0, modRevision: revision, version: 0, lease: 0 };
          events.push({ type: 'delete', kv: tombstone, prevKv: kv });
        }
        const prevKvs = op.request.prevKv ? deleted : [];
        return { type: 'deleteRange', response: { header, deleted: deleted.length, prevKvs } };
      }
      case 'txn':
        throw etcdBackendError('unsupported', 'nested txn in the reference backend');
    }
  }

  async compact(request: { revision: number }): Promise<{ header: { revision: number } }> {
    if (request.revision > this.revision) throw new FlotillaError(ErrorCode.storeFutureRevision, 'future');
    if (request.revision <= this.compactRevision) throw new FlotillaError(ErrorCode.storeCompacted, 'compacted');
    this.compactRevision = request.revision;
    for (const revision of [...this.states.keys()]) if (revision < request.revision) this.states.delete(revision);
    return { header: { revision: this.revision } };
  }

  async watch(request: WatchRequest, listener: WatchListener): Promise<WatchStart> {
    const watcher: ReferenceWatcher = { request, listener, synced: false, active: true };
    this.watchers.add(watcher);
    const start = request.startRevision === 0 ? this.revision + 1 : request.startRevision;
    const upTo = this.revision;
    // Catch up after returning, as a store reading history would: the API must hold the events.
    queueMicrotask(() => {
      if (start < this.compactRevision) {
        this.watchers.delete(watcher);
        if (watcher.active) listener.onCompacted(this.compactRevision);
        return;
      }
      this.deliver(watcher, start, upTo);
      watcher.synced = true;
    });
    return {
      header: { revision: this.revision },
      subscription: {
        syncedRevision: () => (watcher.synced ? this.revision : null),
        cancel: () => {
          watcher.active = false;
          this.watchers.delete(watcher);
        },
      },
    };
  }

  private deliver(watcher: ReferenceWatcher, from: number, to: number): void {
    for (let revision = from; revision <= to && watcher.active; revision += 1) {
      const events = (this.eventsByRevision.get(revision) ?? []).filter((event) =>
        rangeContains(watcher.request.key, watcher.request.rangeEnd, event.kv.key),
      );
      if (events.length > 0) watcher.listener.onEvents(events);
    }
  }

  /** Ends every watcher from the backend's side, as a store cutting off slow watchers would. */
  closeAllWatchers(reason: string): void {
    for (const watcher of [...this.watchers]) {
      this.watchers.delete(watcher);
      watcher.listener.onClosed(reason);
    }
  }

  async leaseGrant(request: { ttlSeconds: number; id: number }) {
    const id = request.id === 0 ? this.nextLeaseId++ : request.id;
    if (this.leases.has(id)) throw etcdBackendError('leaseExists', 'lease exists');
    const ttlSeconds = Math.max(request.ttlSeconds, 2);
    this.leases.set(id, { ttlSeconds, grantedTtlSeconds: ttlSeconds });
    return { header: { revision: this.revision }, id, ttlSeconds };
  }

  private lease(id: number): { ttlSeconds: number; grantedTtlSeconds: number } {
    const lease = this.leases.get(id);
    if (lease === undefined) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${id} not found`);
    return lease;
  }

  async leaseRevoke(id: number) {
    this.lease(id);
    this.leases.delete(id);
    const attached = [...this.state(this.revision).values()].filter((kv) => kv.lease === id);
    if (attached.length > 0) {
      this.write(attached.map((kv) => ({ type: 'deleteRange', request: { key: kv.key, rangeEnd: new Uint8Array(), prevKv: false } })));
    }
    return { revision: this.revision };
  }

  async leaseKeepAlive(id: number) {
    const lease = this.lease(id);
    return { header: { revision: this.revision }, id, ttlSeconds: lease.grantedTtlSeconds };
  }

  async leaseTimeToLive(id: number, keys: boolean) {
    const lease = this.lease(id);
    const attached = keys ? [...this.state(this.revision).values()].filter((kv) => kv.lease === id).map((kv) => kv.key) : [];
    return { header: { revision: this.revision }, id, ttlSeconds: lease.ttlSeconds, grantedTtlSeconds: lease.grantedTtlSeconds, keys: attached };
  }

  async leaseLeases() {
    return { header: { revision: this.revision }, ids: [...this.leases.keys()] };
  }

  async memberList() {
    return { header: { revision: this.revision }, members: this.members };
  }

  async memberAdd(peerUrls: readonly string[], isLearner: boolean) {
    if (this.members.some((member) => member.peerUrls.some((url) => peerUrls.includes(url)))) {
      throw etcdBackendError('peerUrlExists', 'peer URL exists');
    }
    const member: Member = { id: 0x1234567890abcdefn + BigInt(this.members.length), name: '', peerUrls, clientUrls: [], isLearner };
    this.members = [...this.members, member];
    return { header: { revision: this.revision }, member, members: this.members };
  }

  async memberRemove(id: bigint) {
    if (!this.members.some((member) => member.id === id)) throw etcdBackendError('memberNotFound', 'no such member');
    this.members = this.members.filter((member) => member.id !== id);
    return { header: { revision: this.revision }, members: this.members };
  }

  async memberPromote(id: bigint) {
    const member = this.members.find((candidate) => candidate.id === id);
    if (member === undefined) throw etcdBackendError('memberNotFound', 'no such member');
    if (!member.isLearner) throw etcdBackendError('memberNotLearner', 'not a learner');
    this.members = this.members.map((candidate) => (candidate.id === id ? { ...candidate, isLearner: false } : candidate));
    return { header: { revision: this.revision }, members: this.members };
  }

  /** A stand-in hash (FNV-1a over the keys and values at the revision): enough for the wire mapping tests. */
  async hashKv(revision: number) {
    const at = revision > 0 ? revision : this.revision;
    let hash = 0x811c9dc5;
    for (const [key, record] of [...(this.states.get(at) ?? new Map()).entries()].sort()) {
      for (const char of `${key}=${JSON.stringify(record)};`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    }
    return { header: { revision: at }, hash, compactRevision: this.compactRevision };
  }

  async status() {
    return {
      header: { revision: this.revision },
      version: '3.4.0',
      dbSizeBytes: 4096,
      dbSizeInUseBytes: 2048,
      leaderId: 0xabcdefn,
      raftIndex: 42,
      raftTerm: 7,
      raftAppliedIndex: 42,
      errors: [],
      isLearner: false,
    };
  }
}
