import { assert } from '../common/index.ts';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import type { ApplyContext } from './apply-context.ts';
import type { Command, CommandResponse } from './commands.ts';
import { StoreLimits } from './store-limits.ts';
import { checkReadRevision } from './read-revision.ts';
import { applyTxn } from './txn.ts';
import type { LeaseExpireResponse } from './types.ts';
import { WriteTxn } from './write-txn.ts';

/**
 * Executes one decoded command against the batch's working state. Throws FlotillaError only
 * before its first write (the caller checks this): a refused command has no effect anywhere.
 */
export async function applyCommand(ctx: ApplyContext, command: Command): Promise<CommandResponse> {
  switch (command.type) {
    case 'put': {
      const response = await applyTxn(ctx, { compare: [], success: [{ type: 'put', request: command.request }], failure: [] });
      const first = response.responses[0];
      assert(first?.type === 'put', 'a one-put txn answers with a put');
      return { type: 'put', response: first.response };
    }
    case 'deleteRange': {
      const response = await applyTxn(ctx, { compare: [], success: [{ type: 'deleteRange', request: command.request }], failure: [] });
      const first = response.responses[0];
      assert(first?.type === 'deleteRange', 'a one-delete txn answers with a deleteRange');
      return { type: 'deleteRange', response: first.response };
    }
    case 'txn':
      return { type: 'txn', response: await applyTxn(ctx, command.request) };
    case 'compact':
      return { type: 'compact', response: applyCompact(ctx, command.revision) };
    case 'leaseGrant':
      return { type: 'leaseGrant', response: applyLeaseGrant(ctx, command.id, command.ttlSeconds) };
    case 'leaseRevoke': {
      if (!ctx.leases.has(command.id)) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${command.id} not found`);
      await revokeLease(ctx, command.id);
      return { type: 'leaseRevoke', response: { header: { revision: ctx.revision }, id: command.id } };
    }
    case 'leaseExpire':
      return { type: 'leaseExpire', response: await applyLeaseExpire(ctx, command.ids) };
  }
}

/** Only records the new compact revision; the index and history are pruned after commit, in the background. */
function applyCompact(ctx: ApplyContext, revision: number): { header: { revision: number } } {
  if (revision <= ctx.compactRevision) {
    throw new FlotillaError(ErrorCode.storeCompacted, `revision ${revision} has already been compacted (compacted up to ${ctx.compactRevision})`);
  }
  checkReadRevision(ctx, revision);
  ctx.compactRevision = revision;
  return { header: { revision: ctx.revision } };
}

function applyLeaseGrant(ctx: ApplyContext, id: number, ttlSeconds: number): { header: { revision: number }; id: number; ttlSeconds: number } {
  if (ctx.leases.has(id)) throw new FlotillaError(ErrorCode.invalidArgument, `lease ${id} already exists`);
  if (ctx.leases.size >= StoreLimits.leasesMax) throw new FlotillaError(ErrorCode.invalidArgument, `lease table is full (${StoreLimits.leasesMax})`);
  ctx.leases.grant(ctx.layout, ctx.batch, { id, ttlSeconds, grantedRevision: ctx.revision });
  ctx.writeCount++;
  return { header: { revision: ctx.revision }, id, ttlSeconds };
}

/** Deletes the lease's keys in one write txn (one revision), in key order so every replica assigns the same sub-revisions. */
async function revokeLease(ctx: ApplyContext, id: number): Promise<void> {
  const txn = new WriteTxn(ctx);
  await txn.deleteKeys(ctx.leases.sortedKeys(id));
  txn.finish();
  ctx.leases.remove(ctx.layout, ctx.batch, id);
  ctx.writeCount++;
}

/** Each lease is revoked in its own revision, as etcd revokes them one by one. */
async function applyLeaseExpire(ctx: ApplyContext, ids: readonly number[]): Promise<LeaseExpireResponse> {
  const revoked: number[] = [];
  for (const id of ids) {
    if (!ctx.leases.has(id)) continue;
    await revokeLease(ctx, id);
    revoked.push(id);
  }
  return { header: { revision: ctx.revision }, revoked };
}
