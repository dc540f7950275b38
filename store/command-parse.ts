import { ErrorCode, FlotillaError } from '../common/index.ts';
import { Limits } from '../common/index.ts';
import type { Command } from './commands.ts';
import { StoreLimits } from './store-limits.ts';
import type { Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from './types.ts';
import { CompareResult, SortOrder, SortTarget } from './types.ts';

/**
 * Structural validation of commands, shared by the proposer (validateCommand) and every replica's
 * apply (decodeCommand). It rebuilds the command from the fields it knows, so stray fields in a
 * payload never reach the state machine. Pure and deterministic.
 */
type Fields = Readonly<Record<string, unknown>>;

function invalid(message: string): FlotillaError {
  return new FlotillaError(ErrorCode.invalidArgument, message);
}

function asFields(value: unknown, what: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw invalid(`${what} must be an object`);
  }
  return value as Fields;
}

function bytes(fields: Fields, name: string, fallback?: Uint8Array): Uint8Array {
  const value = fields[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (!(value instanceof Uint8Array)) throw invalid(`${name} must be bytes`);
  return value;
}

function count(fields: Fields, name: string, fallback?: number): number {
  const value = fields[name];
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${name} must be a non-negative safe integer`);
  }
  return value;
}

function flag(fields: Fields, name: string): boolean {
  const value = fields[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(`${name} must be a boolean`);
  return value;
}

function oneOf<T extends string>(fields: Fields, name: string, allowed: Readonly<Record<string, T>>, fallback: T): T {
  const value = fields[name];
  if (value === undefined) return fallback;
  const match = Object.values(allowed).find((candidate) => candidate === value);
  if (match === undefined) throw invalid(`${name} must be one of ${Object.values(allowed).join(', ')}`);
  return match;
}

function list(fields: Fields, name: string): readonly unknown[] {
  const value = fields[name] ?? [];
  if (!Array.isArray(value)) throw invalid(`${name} must be an array`);
  return value;
}

export function checkKey(key: Uint8Array): void {
  if (key.byteLength === 0) throw invalid('key must not be empty');
  if (key.byteLength > Limits.keyBytesMax) {
    throw new FlotillaError(ErrorCode.storeKeyTooLarge, `key is ${key.byteLength} bytes, limit ${Limits.keyBytesMax}`);
  }
}

function checkValue(value: Uint8Array): void {
  if (value.byteLength > Limits.valueBytesMax) {
    throw new FlotillaError(ErrorCode.storeValueTooLarge, `value is ${value.byteLength} bytes, limit ${Limits.valueBytesMax}`);
  }
}

function leaseId(fields: Fields, name: string, allowZero: boolean): number {
  const id = count(fields, name, allowZero ? 0 : undefined);
  if (!allowZero && id === 0) throw invalid(`${name} must be positive`);
  return id;
}

export function parseRangeRequest(value: unknown): RangeRequest {
  const fields = asFields(value, 'range request');
  const key = bytes(fields, 'key');
  checkKey(key);
  return {
    key,
    rangeEnd: bytes(fields, 'rangeEnd', new Uint8Array(0)),
    limit: count(fields, 'limit', 0),
    revision: count(fields, 'revision', 0),
    sortOrder: oneOf(fields, 'sortOrder', SortOrder, 'none'),
    sortTarget: oneOf(fields, 'sortTarget', SortTarget, 'key'),
    keysOnly: flag(fields, 'keysOnly'),
    countOnly: flag(fields, 'countOnly'),
    minModRevision: count(fields, 'minModRevision', 0),
    maxModRevision: count(fields, 'maxModRevision', 0),
    minCreateRevision: count(fields, 'minCreateRevision', 0),
    maxCreateRevision: count(fields, 'maxCreateRevision', 0),
  };
}

function parsePut(value: unknown): PutRequest {
  const fields = asFields(value, 'put request');
  const key = bytes(fields, 'key');
  checkKey(key);
  const request: PutRequest = {
    key,
    value: bytes(fields, 'value', new Uint8Array(0)),
    lease: leaseId(fields, 'lease', true),
    prevKv: flag(fields, 'prevKv'),
    ignoreValue: flag(fields, 'ignoreValue'),
    ignoreLease: flag(fields, 'ignoreLease'),
  };
  checkValue(request.value);
  if (request.ignoreValue && request.value.byteLength > 0) throw invalid('ignoreValue with a non-empty value');
  if (request.ignoreLease && request.lease !== 0) throw invalid('ignoreLease with a lease');
  return request;
}

function parseDeleteRange(value: unknown): DeleteRangeRequest {
  const fields = asFields(value, 'deleteRange request');
  const key = bytes(fields, 'key');
  checkKey(key);
  return { key, rangeEnd: bytes(fields, 'rangeEnd', new Uint8Array(0)), prevKv: flag(fields, 'prevKv') };
}

function parseCompare(value: unknown): Compare {
  const fields = asFields(value, 'compare');
  const key = bytes(fields, 'key');
  checkKey(key);
  const base = { key, rangeEnd: bytes(fields, 'rangeEnd', new Uint8Array(0)), result: oneOf(fields, 'result', CompareResult, 'equal') };
  switch (fields['target']) {
    case 'value':
      return { ...base, target: 'value', value: bytes(fields, 'value') };
    case 'version':
      return { ...base, target: 'version', version: count(fields, 'version') };
    case 'create':
      return { ...base, target: 'create', createRevision: count(fields, 'createRevision') };
    case 'mod':
      return { ...base, target: 'mod', modRevision: count(fields, 'modRevision') };
    case 'lease':
      return { ...base, target: 'lease', lease: count(fields, 'lease') };
    default:
      throw invalid('compare target must be value, version, create, mod or lease');
  }
}

/** Counts operations over the whole tree so one txn cannot smuggle in unbounded work. */
interface TxnBudget {
  operations: number;
}

function parseRequestOp(value: unknown, depth: number, budget: TxnBudget): RequestOp {
  const fields = asFields(value, 'txn operation');
  budget.operations++;
  if (budget.operations > StoreLimits.txnOpsMax) throw invalid(`txn has more than ${StoreLimits.txnOpsMax} operations`);
  switch (fields['type']) {
    case 'range':
      return { type: 'range', request: parseRangeRequest(fields['request']) };
    case 'put':
      return { type: 'put', request: parsePut(fields['request']) };
    case 'deleteRange':
      return { type: 'deleteRange', request: parseDeleteRange(fields['request']) };
    case 'txn':
      return { type: 'txn', request: parseTxn(fields['request'], depth + 1, budget) };
    default:
      throw invalid('txn operation type must be range, put, deleteRange or txn');
  }
}

function parseTxn(value: unknown, depth: number, budget: TxnBudget): TxnRequest {
  if (depth > StoreLimits.txnDepthMax) throw invalid(`txn nested deeper than ${StoreLimits.txnDepthMax}`);
  const fields = asFields(value, 'txn request');
  const compare = list(fields, 'compare').map(parseCompare);
  budget.operations += compare.length;
  return {
    compare,
    success: list(fields, 'success').map((op) => parseRequestOp(op, depth, budget)),
    failure: list(fields, 'failure').map((op) => parseRequestOp(op, depth, budget)),
  };
}

function parseLeaseIds(fields: Fields): readonly number[] {
  const ids = list(fields, 'ids');
  if (ids.length > StoreLimits.leaseExpireIdsMax) throw invalid(`more than ${StoreLimits.leaseExpireIdsMax} lease ids`);
  return ids.map((id) => leaseId({ id }, 'id', false));
}

export function parseCommand(value: unknown): Command {
  const fields = asFields(value, 'command');
  switch (fields['type']) {
    case 'put':
      return { type: 'put', request: parsePut(fields['request']) };
    case 'deleteRange':
      return { type: 'deleteRange', request: parseDeleteRange(fields['request']) };
    case 'txn':
      return { type: 'txn', request: parseTxn(fields['request'], 1, { operations: 0 }) };
    case 'compact':
      return { type: 'compact', revision: count(fields, 'revision') };
    case 'leaseGrant': {
      const ttlSeconds = count(fields, 'ttlSeconds');
      if (ttlSeconds < 1 || ttlSeconds > StoreLimits.leaseTtlSecondsMax) throw invalid(`ttlSeconds must be in 1..${StoreLimits.leaseTtlSecondsMax}`);
      return { type: 'leaseGrant', id: leaseId(fields, 'id', false), ttlSeconds };
    }
    case 'leaseRevoke':
      return { type: 'leaseRevoke', id: leaseId(fields, 'id', false) };
    case 'leaseExpire':
      return { type: 'leaseExpire', ids: parseLeaseIds(fields) };
    default:
      throw invalid('unknown command type');
  }
}
