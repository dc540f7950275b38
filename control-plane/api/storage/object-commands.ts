import { command, prefixEnd, requestOp, type Command, type KeyValue, type RangeRequest, type ResponseOp, type TxnResponse } from '../../../store/index.ts';
import type { CreateResult, DeleteResult, ListOptions, ListResult, StoredObject, UpdateResult } from '../object-store.ts';

/**
 * The one place the ObjectStore port is turned into store commands and store answers back into
 * its results. Pure: both executors (in-process `MvccObjectStore`, Raft-replicated
 * `ReplicatedObjectStore`) run exactly these commands, so their semantics cannot drift.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const emptyBytes = new Uint8Array(0);

export function toStoredObject(kv: KeyValue): StoredObject {
  return { key: decoder.decode(kv.key), value: kv.value, modRevision: kv.modRevision, createRevision: kv.createRevision };
}

function rangeResult(op: ResponseOp | undefined): StoredObject | null {
  if (op?.type !== 'range') return null;
  const kv = op.response.kvs[0];
  return kv === undefined ? null : toStoredObject(kv);
}

export function getRequest(key: string): RangeRequest {
  return { key: encoder.encode(key) };
}

export function listRequest(prefix: string, options: ListOptions): RangeRequest {
  const prefixBytes = encoder.encode(prefix);
  // Continue strictly after the last returned key: the smallest key greater than it is key + "\0".
  const start = options.continueAfter === undefined ? prefixBytes : encoder.encode(`${options.continueAfter}\0`);
  return { key: start, rangeEnd: prefixEnd(prefixBytes), limit: options.limit ?? 0, revision: options.revision ?? 0 };
}

export function listResult(response: { kvs: readonly KeyValue[]; header: { revision: number }; more: boolean; count: number }): ListResult {
  const items = response.kvs.map(toStoredObject);
  return { items, revision: response.header.revision, more: response.more, remaining: Math.max(0, response.count - items.length) };
}

/** Put if the key has never been written in its current incarnation (create revision 0). */
export function createCommand(key: string, value: Uint8Array): Command {
  const keyBytes = encoder.encode(key);
  return command.txn({
    compare: [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'create', createRevision: 0 }],
    success: [requestOp.put(keyBytes, value)],
    failure: [requestOp.range({ key: keyBytes })],
  });
}

export function createResult(key: string, value: Uint8Array, response: TxnResponse): CreateResult {
  if (!response.succeeded) return { ok: false, reason: 'exists', current: rangeResult(response.responses[0]) };
  const revision = response.header.revision;
  return { ok: true, object: { key, value, modRevision: revision, createRevision: revision } };
}

export function updateCommand(key: string, value: Uint8Array, expectedModRevision: number): Command {
  const keyBytes = encoder.encode(key);
  return command.txn({
    compare: [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'mod', modRevision: expectedModRevision }],
    success: [requestOp.put(keyBytes, value, { prevKv: true })],
    failure: [requestOp.range({ key: keyBytes })],
  });
}

export function updateResult(key: string, value: Uint8Array, response: TxnResponse): UpdateResult {
  if (!response.succeeded) {
    const current = rangeResult(response.responses[0]);
    return { ok: false, reason: current === null ? 'notFound' : 'conflict', current };
  }
  const put = response.responses[0];
  const createRevision = put?.type === 'put' && put.response.prevKv !== null ? put.response.prevKv.createRevision : response.header.revision;
  return { ok: true, object: { key, value, modRevision: response.header.revision, createRevision } };
}

export function deleteCommand(key: string, expectedModRevision?: number): Command {
  const keyBytes = encoder.encode(key);
  return command.txn({
    compare:
      expectedModRevision === undefined
        ? [{ key: keyBytes, rangeEnd: emptyBytes, result: 'greater', target: 'version', version: 0 }]
        : [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'mod', modRevision: expectedModRevision }],
    success: [requestOp.deleteRange(keyBytes, emptyBytes, { prevKv: true })],
    failure: [requestOp.range({ key: keyBytes })],
  });
}

export function deleteResult(response: TxnResponse): DeleteResult {
  if (!response.succeeded) {
    const current = rangeResult(response.responses[0]);
    return { ok: false, reason: current === null ? 'notFound' : 'conflict', current };
  }
  const deleted = response.responses[0];
  const previous = deleted?.type === 'deleteRange' ? deleted.response.prevKvs[0] : undefined;
  if (previous === undefined) return { ok: false, reason: 'notFound', current: null };
  return { ok: true, object: { ...toStoredObject(previous), modRevision: response.header.revision } };
}

export function watchRange(prefix: string): { key: Uint8Array; rangeEnd: Uint8Array } {
  const key = encoder.encode(prefix);
  return { key, rangeEnd: prefixEnd(key) };
}
