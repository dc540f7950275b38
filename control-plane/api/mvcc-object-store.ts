import { ErrorCode, FlotillaError } from '../../common/index.ts';
import type { Timers } from '../../common/index.ts';
import { realTimers } from '../../common/index.ts';
import { command, encodeCommand, prefixEnd, requestOp, type Command, type CommandResponse, type KeyValue, type MvccStore, type ResponseOp, type TxnResponse, type WatchResponse } from '../../store/index.ts';
import type {
  CreateResult, DeleteResult, ListOptions, ListResult, ObjectStore, ObjectWatch, ObjectWatchEvent, StoredObject, UpdateResult, WatchOptions,
} from './object-store.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const emptyBytes = new Uint8Array(0);

/**
 * The ObjectStore port on one in-process MvccStore: writes are applied directly as log entries
 * (a single replica has nothing to agree with). The replicated version proposes the same
 * commands through Raft instead; everything above this class is unchanged.
 */
export class MvccObjectStore implements ObjectStore {
  private nextIndex: number;

  constructor(
    private readonly store: MvccStore,
    private readonly timers: Timers = realTimers,
  ) {
    this.nextIndex = store.appliedIndex + 1;
  }

  currentRevision(): Promise<number> {
    return Promise.resolve(this.store.revision);
  }

  async get(key: string): Promise<StoredObject | null> {
    const response = await this.store.range({ key: encoder.encode(key) });
    const kv = response.kvs[0];
    return kv === undefined ? null : toStoredObject(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const prefixBytes = encoder.encode(prefix);
    // Continue strictly after the last returned key: the smallest key greater than it is key + "\0".
    const start = options.continueAfter === undefined ? prefixBytes : encoder.encode(`${options.continueAfter}\0`);
    const response = await this.store.range({
      key: start,
      rangeEnd: prefixEnd(prefixBytes),
      limit: options.limit ?? 0,
      revision: options.revision ?? 0,
    });
    const items = response.kvs.map(toStoredObject);
    return { items, revision: response.header.revision, more: response.more, remaining: Math.max(0, response.count - items.length) };
  }

  async create(key: string, value: Uint8Array): Promise<CreateResult> {
    const keyBytes = encoder.encode(key);
    const response = await this.txn({
      compare: [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'create', createRevision: 0 }],
      success: [requestOp.put(keyBytes, value)],
      failure: [requestOp.range({ key: keyBytes })],
    });
    if (!response.succeeded) return { ok: false, reason: 'exists', current: rangeResult(response.responses[0]) };
    const revision = response.header.revision;
    return { ok: true, object: { key, value, modRevision: revision, createRevision: revision } };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<UpdateResult> {
    const keyBytes = encoder.encode(key);
    const response = await this.txn({
      compare: [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'mod', modRevision: expectedModRevision }],
      success: [requestOp.put(keyBytes, value, { prevKv: true })],
      failure: [requestOp.range({ key: keyBytes })],
    });
    if (!response.succeeded) {
      const current = rangeResult(response.responses[0]);
      return { ok: false, reason: current === null ? 'notFound' : 'conflict', current };
    }
    const put = response.responses[0];
    const createRevision = put?.type === 'put' && put.response.prevKv !== null ? put.response.prevKv.createRevision : response.header.revision;
    return { ok: true, object: { key, value, modRevision: response.header.revision, createRevision } };
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    const keyBytes = encoder.encode(key);
    const response = await this.txn({
      compare:
        expectedModRevision === undefined
          ? [{ key: keyBytes, rangeEnd: emptyBytes, result: 'greater', target: 'version', version: 0 }]
          : [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'mod', modRevision: expectedModRevision }],
      success: [requestOp.deleteRange(keyBytes, emptyBytes, { prevKv: true })],
      failure: [requestOp.range({ key: keyBytes })],
    });
    if (!response.succeeded) {
      const current = rangeResult(response.responses[0]);
      return { ok: false, reason: current === null ? 'notFound' : 'conflict', current };
    }
    const deleted = response.responses[0];
    const previous = deleted?.type === 'deleteRange' ? deleted.response.prevKvs[0] : undefined;
    if (previous === undefined) return { ok: false, reason: 'notFound', current: null };
    return { ok: true, object: { ...toStoredObject(previous), modRevision: response.header.revision } };
  }

  watch(prefix: string, options: WatchOptions = {}): ObjectWatch {
    const prefixBytes = encoder.encode(prefix);
    const watcher = this.store.watch({
      key: prefixBytes,
      rangeEnd: prefixEnd(prefixBytes),
      startRevision: options.fromRevision ?? 0,
      prevKv: true,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const progressIntervalMs = options.progressIntervalMs ?? 0;
    const ticker =
      progressIntervalMs > 0 ? this.timers.setInterval(() => this.store.watchHub.requestProgress(watcher.id), progressIntervalMs) : null;
    return translateWatch(watcher, () => ticker?.cancel());
  }

  /** Drops history below `revision` (not part of the port: compaction is the store owner's job; tests use it). */
  async compact(revision: number): Promise<void> {
    await this.apply(command.compact(revision));
    await this.store.whenCompacted();
  }

  /** Applies one command as the next log entry and returns its response (a refusal is thrown). */
  private async apply(value: Command): Promise<CommandResponse> {
    const index = this.nextIndex++;
    const data = encodeCommand(value);
    const outcomes = await this.store.apply([{ type: 'normal', term: Math.max(1, this.store.appliedTerm), index, data }]);
    const outcome = outcomes.get(index);
    if (outcome === undefined) throw new FlotillaError(ErrorCode.storeCorrupt, `entry ${index} was not applied`);
    if (!outcome.ok) throw new FlotillaError(outcome.error.code, outcome.error.message);
    return outcome.response;
  }

  private async txn(request: Parameters<typeof command.txn>[0]): Promise<TxnResponse> {
    const response = await this.apply(command.txn(request));
    if (response.type !== 'txn') throw new FlotillaError(ErrorCode.storeCorrupt, `a txn answered ${response.type}`);
    return response.response;
  }
}

function toStoredObject(kv: KeyValue): StoredObject {
  return { key: decoder.decode(kv.key), value: kv.value, modRevision: kv.modRevision, createRevision: kv.createRevision };
}

function rangeResult(op: ResponseOp | undefined): StoredObject | null {
  if (op?.type !== 'range') return null;
  const kv = op.response.kvs[0];
  return kv === undefined ? null : toStoredObject(kv);
}

async function* translateWatch(watcher: AsyncIterable<WatchResponse>, onEnd: () => void): AsyncGenerator<ObjectWatchEvent> {
  try {
    for await (const response of watcher) {
      if (response.kind === 'progress') {
        yield { type: 'progress', revision: response.revision };
      } else if (response.kind === 'events') {
        for (const event of response.events) {
          const translated = translateEvent(event);
          if (translated !== null) yield translated;
        }
      } else {
        if (response.reason === 'canceled') return;
        const code = response.reason === 'compacted' ? ErrorCode.storeCompacted : ErrorCode.invalidArgument;
        throw new FlotillaError(code, response.message, { details: { reason: response.reason, compactRevision: response.compactRevision } });
      }
    }
  } finally {
    onEnd();
  }
}

function translateEvent(event: { type: 'put' | 'delete'; kv: KeyValue; prevKv: KeyValue | null }): ObjectWatchEvent | null {
  const key = decoder.decode(event.kv.key);
  const prevValue = event.prevKv?.value ?? null;
  if (event.type === 'put') {
    const type = event.kv.version === 1 ? 'created' : 'updated';
    return { type, key, value: event.kv.value, prevValue: type === 'created' ? null : prevValue, revision: event.kv.modRevision };
  }
  // A delete without its previous value cannot be shown to a Kubernetes client (it expects the last state).
  if (prevValue === null) return null;
  return { type: 'deleted', key, value: prevValue, prevValue, revision: event.kv.modRevision };
}
