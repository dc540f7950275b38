import { Buffer } from 'node:buffer';
import type { EtcdApiLimits } from './api-limits.ts';
import type { Bytes, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from './backend.ts';
import { EtcdRequestError } from './etcd-errors.ts';

/**
 * etcd's request checks (v3rpc/key.go), done before anything reaches a backend, plus Flotilla's
 * key and value limits. Each throws EtcdRequestError with etcd's exact error.
 */

type KeyLimits = Pick<EtcdApiLimits, 'keyBytesMax' | 'valueBytesMax' | 'requestBytesMax'>;

/** The encoded request is what becomes a Raft proposal, so its size is what etcd bounds. */
export function checkRequestBytes(requestBytes: number, limits: Pick<EtcdApiLimits, 'requestBytesMax'>): void {
  if (requestBytes > limits.requestBytesMax) {
    throw new EtcdRequestError('requestTooLarge');
  }
}

export function checkRange(request: RangeRequest): void {
  if (request.key.length === 0) throw new EtcdRequestError('emptyKey');
}

export function checkDeleteRange(request: DeleteRangeRequest): void {
  if (request.key.length === 0) throw new EtcdRequestError('emptyKey');
}

export function checkPut(request: PutRequest, limits: KeyLimits): void {
  if (request.key.length === 0) throw new EtcdRequestError('emptyKey');
  if (request.ignoreValue && request.value.length !== 0) throw new EtcdRequestError('valueProvided');
  if (request.ignoreLease && request.lease !== 0) throw new EtcdRequestError('leaseProvided');
  if (request.key.length > limits.keyBytesMax) {
    throw new EtcdRequestError('keyTooLarge', `${request.key.length} bytes, limit ${limits.keyBytesMax}`);
  }
  // etcd has no value limit of its own: a value this large makes the request too large.
  if (request.value.length > limits.valueBytesMax) throw new EtcdRequestError('requestTooLarge');
}

function checkRequestOp(op: RequestOp, limits: KeyLimits & Pick<EtcdApiLimits, 'txnOpsMax'>): void {
  switch (op.type) {
    case 'range':
      return checkRange(op.request);
    case 'put':
      return checkPut(op.request, limits);
    case 'deleteRange':
      return checkDeleteRange(op.request);
    case 'txn':
      return checkTxn(op.request, limits);
  }
}

export function checkTxn(request: TxnRequest, limits: KeyLimits & Pick<EtcdApiLimits, 'txnOpsMax'>): void {
  const operations = Math.max(request.compare.length, request.success.length, request.failure.length);
  if (operations > limits.txnOpsMax) throw new EtcdRequestError('tooManyOps');
  for (const compare of request.compare) {
    if (compare.key.length === 0) throw new EtcdRequestError('emptyKey');
  }
  for (const op of request.success) checkRequestOp(op, limits);
  for (const op of request.failure) checkRequestOp(op, limits);
  checkBranchKeys(request.success);
  checkBranchKeys(request.failure);
}

interface BranchWrites {
  readonly puts: Set<string>;
  readonly deletes: { readonly key: Bytes; readonly rangeEnd: Bytes }[];
}

/**
 * etcd refuses a branch that writes one key twice (two puts, or a put inside a deleted range):
 * the outcome would depend on an order clients should not rely on. A nested txn contributes the
 * writes of both its branches, since either may run.
 */
function checkBranchKeys(ops: readonly RequestOp[]): void {
  const writes: BranchWrites = { puts: new Set(), deletes: [] };
  collectWrites(ops, writes, true);
  for (const put of writes.puts) {
    const key = Buffer.from(put, 'latin1');
    if (writes.deletes.some((range) => rangeContains(range.key, range.rangeEnd, key))) {
      throw new EtcdRequestError('duplicateKey');
    }
  }
}

function collectWrites(ops: readonly RequestOp[], writes: BranchWrites, direct: boolean): void {
  const putsHere = new Set<string>();
  for (const op of ops) {
    if (op.type === 'put') {
      const key = Buffer.from(op.request.key).toString('latin1');
      if (putsHere.has(key) || (direct && writes.puts.has(key))) throw new EtcdRequestError('duplicateKey');
      putsHere.add(key);
    } else if (op.type === 'deleteRange') {
      writes.deletes.push(op.request);
    } else if (op.type === 'txn') {
      // Each nested branch is checked on its own by checkTxn; here only its writes count.
      collectWrites(op.request.success, writes, false);
      collectWrites(op.request.failure, writes, false);
    }
  }
  for (const key of putsHere) writes.puts.add(key);
}

/** etcd range conventions: empty end = the key alone; [0] = everything from key on. */
export function rangeContains(key: Bytes, rangeEnd: Bytes, candidate: Bytes): boolean {
  if (rangeEnd.length === 0) return Buffer.compare(key, candidate) === 0;
  if (Buffer.compare(candidate, key) < 0) return false;
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return true;
  return Buffer.compare(candidate, rangeEnd) < 0;
}
