import type {
  DeleteRangeResponse,
  HeaderInfo,
  KeyValue,
  LocalHeader,
  MemberIdentity,
  PutResponse,
  RangeResponse,
  ResponseOp,
  TxnResponse,
  WatchEvent,
} from './backend.ts';
import { uint64ToWire } from './numbers.ts';
import type {
  WireDeleteRangeResponse,
  WireEvent,
  WireKeyValue,
  WirePutResponse,
  WireRangeResponse,
  WireResponseHeader,
  WireResponseOp,
  WireTxnResponse,
} from './wire.ts';

/** Backend responses → wire (protobuf) objects. Pure. */

/** The revision is the response's own; the term is the member's current one. */
export function encodeHeader(identity: MemberIdentity, header: HeaderInfo, local: LocalHeader): WireResponseHeader {
  return {
    cluster_id: uint64ToWire(identity.clusterId),
    member_id: uint64ToWire(identity.memberId),
    revision: header.revision,
    raft_term: local.raftTerm,
  };
}

/** Responses nested in a txn: etcd fills only their revision (the txn's own header has the rest). */
function encodeNestedHeader(header: HeaderInfo): WireResponseHeader {
  return { revision: header.revision };
}

export function encodeKeyValue(kv: KeyValue): WireKeyValue {
  return {
    key: kv.key,
    create_revision: kv.createRevision,
    mod_revision: kv.modRevision,
    version: kv.version,
    value: kv.value,
    lease: kv.lease,
  };
}

export function encodeEvent(event: WatchEvent): WireEvent {
  return {
    type: event.type === 'put' ? 'PUT' : 'DELETE',
    kv: encodeKeyValue(event.kv),
    prev_kv: event.prevKv === null ? null : encodeKeyValue(event.prevKv),
  };
}

export function encodeRange(header: WireResponseHeader, response: RangeResponse): WireRangeResponse {
  return { header, kvs: response.kvs.map(encodeKeyValue), more: response.more, count: response.count };
}

export function encodePut(header: WireResponseHeader, response: PutResponse): WirePutResponse {
  return { header, prev_kv: response.prevKv === null ? null : encodeKeyValue(response.prevKv) };
}

export function encodeDeleteRange(header: WireResponseHeader, response: DeleteRangeResponse): WireDeleteRangeResponse {
  return { header, deleted: response.deleted, prev_kvs: response.prevKvs.map(encodeKeyValue) };
}

function encodeResponseOp(op: ResponseOp): WireResponseOp {
  switch (op.type) {
    case 'range':
      return { response_range: encodeRange(encodeNestedHeader(op.response.header), op.response) };
    case 'put':
      return { response_put: encodePut(encodeNestedHeader(op.response.header), op.response) };
    case 'deleteRange':
      return { response_delete_range: encodeDeleteRange(encodeNestedHeader(op.response.header), op.response) };
    case 'txn':
      return { response_txn: encodeTxn(encodeNestedHeader(op.response.header), op.response) };
  }
}

export function encodeTxn(header: WireResponseHeader, response: TxnResponse): WireTxnResponse {
  return { header, succeeded: response.succeeded, responses: response.responses.map(encodeResponseOp) };
}
