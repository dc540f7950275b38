import { ErrorCode, FlotillaError } from '../common/index.ts';
import type { ApplyContext } from './apply-context.ts';
import type { IndexEntry } from './key-history.ts';
import { compareBytes, intervalContains, keyInterval, keyToString, type KeyInterval } from './keys.ts';
import { executeRange, fullRangeRequest } from './range.ts';
import { checkReadRevision } from './read-revision.ts';
import type { Compare, RequestOp, ResponseOp, TxnRequest, TxnResponse } from './types.ts';
import { WriteTxn } from './write-txn.ts';

/** A txn with its branch chosen: every compare of the tree is evaluated before any write (etcd's compareToPath). */
interface TxnPlan {
  readonly succeeded: boolean;
  readonly ops: readonly PlannedOp[];
}

type PlannedOp = Exclude<RequestOp, { type: 'txn' }> | { readonly type: 'txn'; readonly plan: TxnPlan };

/**
 * Applies a txn in three steps: choose branches (reads only), validate the chosen path (may
 * refuse with a FlotillaError, having written nothing), execute (cannot refuse). Plain put and
 * deleteRange commands go through here too, as one-op txns.
 */
export async function applyTxn(ctx: ApplyContext, request: TxnRequest): Promise<TxnResponse> {
  const plan = await planTxn(ctx, request);
  validatePlan(ctx, plan, { puts: new Set(), deletes: [] });
  const txn = new WriteTxn(ctx);
  const response = await executePlan(ctx, txn, plan);
  txn.finish();
  return response;
}

async function planTxn(ctx: ApplyContext, request: TxnRequest): Promise<TxnPlan> {
  let succeeded = true;
  for (const compare of request.compare) {
    if (!(await evaluateCompare(ctx, compare))) {
      succeeded = false;
      break;
    }
  }
  const ops: PlannedOp[] = [];
  for (const op of succeeded ? request.success : request.failure) {
    ops.push(op.type === 'txn' ? { type: 'txn', plan: await planTxn(ctx, op.request) } : op);
  }
  return { succeeded, ops };
}

/** Every key of the compare's range must satisfy it. A missing key reads as zeros, except that a value compare on it fails (as etcd). */
async function evaluateCompare(ctx: ApplyContext, compare: Compare): Promise<boolean> {
  const entries: IndexEntry[] = [];
  for (const [, history] of ctx.index.keysIn(keyInterval(compare.key, compare.rangeEnd))) {
    const entry = history.liveAt(ctx.revision);
    if (entry !== undefined) entries.push(entry);
  }
  if (compare.target === 'value') {
    if (entries.length === 0) return false;
    const records = await ctx.read(entries);
    return records.every((record) => compareOutcome(compare, compareBytes(record.value, compare.value)));
  }
  const wanted = numericTarget(compare);
  if (entries.length === 0) return compareOutcome(compare, Math.sign(0 - wanted));
  return entries.every((entry) => compareOutcome(compare, Math.sign(numericField(compare, entry) - wanted)));
}

function numericTarget(compare: Exclude<Compare, { target: 'value' }>): number {
  switch (compare.target) {
    case 'version':
      return compare.version;
    case 'create':
      return compare.createRevision;
    case 'mod':
      return compare.modRevision;
    case 'lease':
      return compare.lease;
  }
}

function numericField(compare: Exclude<Compare, { target: 'value' }>, entry: IndexEntry): number {
  switch (compare.target) {
    case 'version':
      return entry.version;
    case 'create':
      return entry.createRevision;
    case 'mod':
      return entry.main;
    case 'lease':
      return entry.lease;
  }
}

/** `order` is sign(stored field - compare field). */
function compareOutcome(compare: Compare, order: number): boolean {
  switch (compare.result) {
    case 'equal':
      return order === 0;
    case 'notEqual':
      return order !== 0;
    case 'less':
      return order < 0;
    case 'greater':
      return order > 0;
  }
}

interface WriteSet {
  readonly puts: Set<string>;
  readonly deletes: KeyInterval[];
}

/**
 * Refusals are decided here, on the state before the txn, so a refused txn writes nothing. Because
 * a txn may not put one key twice nor put a key it deletes (etcd's duplicate-key rule), that state
 * is also what each op would see, which makes these checks exact.
 */
function validatePlan(ctx: ApplyContext, plan: TxnPlan, writes: WriteSet): void {
  for (const op of plan.ops) {
    switch (op.type) {
      case 'range':
        checkReadRevision(ctx, op.request.revision ?? 0);
        break;
      case 'put': {
        const key = keyToString(op.request.key);
        if (writes.puts.has(key) || writes.deletes.some((interval) => intervalContains(interval, key))) throw duplicateKey();
        writes.puts.add(key);
        checkPut(ctx, key, op.request.lease, op.request.ignoreValue || op.request.ignoreLease);
        break;
      }
      case 'deleteRange': {
        const interval = keyInterval(op.request.key, op.request.rangeEnd);
        if ([...writes.puts].some((key) => intervalContains(interval, key))) throw duplicateKey();
        writes.deletes.push(interval);
        break;
      }
      case 'txn':
        validatePlan(ctx, op.plan, writes);
        break;
    }
  }
}

function checkPut(ctx: ApplyContext, key: string, lease: number, needsExistingKey: boolean): void {
  if (lease !== 0 && !ctx.leases.has(lease)) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${lease} not found`);
  if (needsExistingKey && ctx.index.get(key)?.liveAt(ctx.revision) === undefined) {
    throw new FlotillaError(ErrorCode.invalidArgument, 'ignoreValue/ignoreLease on a key that does not exist');
  }
}

function duplicateKey(): FlotillaError {
  return new FlotillaError(ErrorCode.invalidArgument, 'duplicate key given in txn request');
}

async function executePlan(ctx: ApplyContext, txn: WriteTxn, plan: TxnPlan): Promise<TxnResponse> {
  const responses: ResponseOp[] = [];
  for (const op of plan.ops) {
    switch (op.type) {
      case 'range': {
        const request = fullRangeRequest(op.request);
        const readRevision = request.revision > 0 ? request.revision : txn.readRevision;
        const response = await executeRange(ctx.index, ctx, request, readRevision, 0);
        responses.push({ type: 'range', response: { ...response, header: txn.header } });
        break;
      }
      case 'put':
        responses.push({ type: 'put', response: await txn.put(op.request) });
        break;
      case 'deleteRange':
        responses.push({ type: 'deleteRange', response: await txn.deleteRange(op.request) });
        break;
      case 'txn':
        responses.push({ type: 'txn', response: await executePlan(ctx, txn, op.plan) });
        break;
    }
  }
  return { header: txn.header, succeeded: plan.succeeded, responses };
}
