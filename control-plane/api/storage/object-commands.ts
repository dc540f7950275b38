import { command, prefixEnd, requestOp, type Command, type KeyValue, type RangeRequest, type ResponseOp, type TxnResponse } from '../../../store/index.ts';
import type { CreateResult, DeleteResult, ListOptions, ListResult, ReservationOptions, StoredObject, UpdateResult } from '../object-store.ts';

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
export function createCommand(key: string, value: Uint8Array, reservations: ReservationOptions = {}): Command {
  const keyBytes = encoder.encode(key);
  return command.txn({
    compare: [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'create', createRevision: 0 }, ...absentCompares(reservations)],
    success: [requestOp.put(keyBytes, value), ...reservationOps(key, reservations)],
    failure: [requestOp.range({ key: keyBytes }), ...reservationChecks(reservations)],
  });
}

export function createResult(key: string, value: Uint8Array, response: TxnResponse, reservations: ReservationOptions = {}): CreateResult {
  if (!response.succeeded) {
    const current = rangeResult(response.responses[0]);
    if (current === null) return reservedResult(response, reservations);
    return { ok: false, reason: 'exists', current };
  }
  const revision = response.header.revision;
  return { ok: true, object: { key, value, modRevision: revision, createRevision: revision } };
}

/** Each reservation key must be absent (create revision 0). */
function absentCompares(reservations: ReservationOptions) {
  return (reservations.reserve ?? []).map((reserved) => ({ key: encoder.encode(reserved), rangeEnd: emptyBytes, result: 'equal' as const, target: 'create' as const, createRevision: 0 }));
}

/** Reservations are created naming their holder; released ones are deleted. */
function reservationOps(holder: string, reservations: ReservationOptions) {
  const holderBytes = encoder.encode(holder);
  return [
    ...(reservations.reserve ?? []).map((reserved) => requestOp.put(encoder.encode(reserved), holderBytes)),
    ...(reservations.release ?? []).map((released) => requestOp.deleteRange(encoder.encode(released), emptyBytes)),
  ];
}

/** On failure, one range per reservation key, to tell which of them are held. */
function reservationChecks(reservations: ReservationOptions) {
  return (reservations.reserve ?? []).map((reserved) => requestOp.range({ key: encoder.encode(reserved), keysOnly: true }));
}

/** The reservation keys the failure ranges found (after the leading range of the object's own key). */
function reservedResult(response: TxnResponse, reservations: ReservationOptions): { readonly ok: false; readonly reason: 'reserved'; readonly held: readonly string[] } {
  const reserve = reservations.reserve ?? [];
  const held = reserve.filter((_, position) => rangeResult(response.responses[position + 1]) !== null);
  return { ok: false, reason: 'reserved', held };
}

export function updateCommand(key: string, value: Uint8Array, expectedModRevision: number, reservations: ReservationOptions = {}): Command {
  const keyBytes = encoder.encode(key);
  return command.txn({
    compare: [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'mod', modRevision: expectedModRevision }, ...absentCompares(reservations)],
    success: [requestOp.put(keyBytes, value, { prevKv: true }), ...reservationOps(key, reservations)],
    failure: [requestOp.range({ key: keyBytes }), ...reservationChecks(reservations)],
  });
}

export function updateResult(key: string, value: Uint8Array, expectedModRevision: number, response: TxnResponse, reservations: ReservationOptions = {}): UpdateResult {
  if (!response.succeeded) {
    const current = rangeResult(response.responses[0]);
    if (current === null) return { ok: false, reason: 'notFound', current };
    if (current.modRevision !== expectedModRevision) return { ok: false, reason: 'conflict', current };
    return reservedResult(response, reservations);
  }
  const put = response.responses[0];
  const createRevision = put?.type === 'put' && put.response.prevKv !== null ? put.response.prevKv.createRevision : response.header.revision;
  return { ok: true, object: { key, value, modRevision: response.header.revision, createRevision } };
}

export function deleteCommand(key: string, expectedModRevision?: number, reservations: Pick<ReservationOptions, 'release'> = {}): Command {
  const keyBytes = encoder.encode(key);
  return command.txn({
    compare:
      expectedModRevision === undefined
        ? [{ key: keyBytes, rangeEnd: emptyBytes, result: 'greater', target: 'version', version: 0 }]
        : [{ key: keyBytes, rangeEnd: emptyBytes, result: 'equal', target: 'mod', modRevision: expectedModRevision }],
    success: [requestOp.deleteRange(keyBytes, emptyBytes, { prevKv: true }), ...reservationOps(key, { release: reservations.release ?? [] })],
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
