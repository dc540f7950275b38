import type {
  Compare,
  CompareResult,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  SortOrder,
  SortTarget,
  TxnRequest,
} from './backend.ts';
import { EtcdRequestError } from './etcd-errors.ts';
import { int64ToNumber, optionalLeaseIdFromWire } from './numbers.ts';
import type {
  WireCompare,
  WireDeleteRangeRequest,
  WireEnum,
  WirePutRequest,
  WireRangeRequest,
  WireRequestOp,
  WireTxnRequest,
} from './wire.ts';

/** Wire (protobuf) KV requests → backend requests. Pure; validation lives in validate-kv.ts. */

const sortOrders: Readonly<Record<string, SortOrder>> = { NONE: 'none', ASCEND: 'ascend', DESCEND: 'descend' };
const sortTargets: Readonly<Record<string, SortTarget>> = {
  KEY: 'key',
  VERSION: 'version',
  CREATE: 'create',
  MOD: 'mod',
  VALUE: 'value',
};
const compareResults: Readonly<Record<string, CompareResult>> = {
  EQUAL: 'equal',
  GREATER: 'greater',
  LESS: 'less',
  NOT_EQUAL: 'notEqual',
};

/** etcd v3.4 ignores an unknown sort order or target (no sorting, sort by key): so do we. */
function enumOr<T>(table: Readonly<Record<string, T>>, value: WireEnum, fallback: T): T {
  return typeof value === 'string' ? (table[value] ?? fallback) : fallback;
}

export function decodeRange(wire: WireRangeRequest): RangeRequest {
  return {
    key: wire.key,
    rangeEnd: wire.range_end,
    limit: Math.max(0, int64ToNumber(wire.limit)),
    revision: int64ToNumber(wire.revision),
    sortOrder: enumOr(sortOrders, wire.sort_order, 'none'),
    sortTarget: enumOr(sortTargets, wire.sort_target, 'key'),
    keysOnly: wire.keys_only,
    countOnly: wire.count_only,
    minModRevision: int64ToNumber(wire.min_mod_revision),
    maxModRevision: int64ToNumber(wire.max_mod_revision),
    minCreateRevision: int64ToNumber(wire.min_create_revision),
    maxCreateRevision: int64ToNumber(wire.max_create_revision),
  };
}

export function decodePut(wire: WirePutRequest): PutRequest {
  return {
    key: wire.key,
    value: wire.value,
    lease: optionalLeaseIdFromWire(wire.lease),
    prevKv: wire.prev_kv,
    ignoreValue: wire.ignore_value,
    ignoreLease: wire.ignore_lease,
  };
}

export function decodeDeleteRange(wire: WireDeleteRangeRequest): DeleteRangeRequest {
  return { key: wire.key, rangeEnd: wire.range_end, prevKv: wire.prev_kv };
}

/**
 * The compared field is named by `target`; etcd reads the operand from the field that matches it,
 * whatever oneof member was set (an unset one compares against zero/empty), and so do we.
 */
export function decodeCompare(wire: WireCompare): Compare {
  const result = typeof wire.result === 'string' ? compareResults[wire.result] : undefined;
  if (result === undefined) throw new EtcdRequestError('malformedRequest', 'unknown compare result');
  const base = { result, key: wire.key, rangeEnd: wire.range_end };
  switch (wire.target) {
    case 'VERSION':
      return { ...base, target: 'version', version: int64ToNumber(wire.version ?? '0') };
    case 'CREATE':
      return { ...base, target: 'create', createRevision: int64ToNumber(wire.create_revision ?? '0') };
    case 'MOD':
      return { ...base, target: 'mod', modRevision: int64ToNumber(wire.mod_revision ?? '0') };
    case 'LEASE':
      return { ...base, target: 'lease', lease: int64ToNumber(wire.lease ?? '0') };
    case 'VALUE':
      return { ...base, target: 'value', value: wire.value ?? new Uint8Array() };
    default:
      throw new EtcdRequestError('malformedRequest', 'unknown compare target');
  }
}

function decodeRequestOp(wire: WireRequestOp): RequestOp {
  if (wire.request_range !== undefined) return { type: 'range', request: decodeRange(wire.request_range) };
  if (wire.request_put !== undefined) return { type: 'put', request: decodePut(wire.request_put) };
  if (wire.request_delete_range !== undefined) {
    return { type: 'deleteRange', request: decodeDeleteRange(wire.request_delete_range) };
  }
  if (wire.request_txn !== undefined) return { type: 'txn', request: decodeTxn(wire.request_txn) };
  // An empty RequestOp names nothing to apply: refuse the txn rather than guess.
  throw new EtcdRequestError('malformedRequest', 'txn contains an empty request');
}

export function decodeTxn(wire: WireTxnRequest): TxnRequest {
  return {
    compare: wire.compare.map(decodeCompare),
    success: wire.success.map(decodeRequestOp),
    failure: wire.failure.map(decodeRequestOp),
  };
}
