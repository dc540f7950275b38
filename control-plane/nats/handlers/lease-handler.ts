import { asObject } from '../../api/json.ts';
import { updateObject } from '../../api/objects/object-operations.ts';
import { leaseResource } from '../../api/registry/kinds/lease.ts';
import { isApiStatus } from '../../controller-runtime/index.ts';
import { decodeLeaseRenewRequest, type LeaseRenewResult } from '../protocol/index.ts';
import { withoutResourceVersion, type HandlerContext } from './handler-context.ts';

/** Where kubelets keep their node Leases. */
export const nodeLeaseNamespace = 'kube-node-lease';

/**
 * `lease.renew`: the node heartbeat. Creates the node's Lease the first time (holder = the node,
 * as kubelet), then moves renewTime forward. Each renewal is one Raft write.
 */
export async function renewLease(request: Uint8Array, context: HandlerContext): Promise<LeaseRenewResult> {
  const { nodeName, renewTime, leaseDurationSeconds } = decodeLeaseRenewRequest(request);
  const spec = { holderIdentity: nodeName, leaseDurationSeconds, renewTime };
  try {
    await updateObject(context.api, leaseResource, nodeLeaseNamespace, nodeName, (current) => {
      const next = withoutResourceVersion(current);
      next['spec'] = { ...(asObject(current['spec']) ?? {}), ...spec };
      return next;
    }, { dryRun: false });
    return {};
  } catch (error) {
    if (!isApiStatus(error, 404)) throw error;
  }
  await context.client.create(leaseResource, { metadata: { name: nodeName, namespace: nodeLeaseNamespace }, spec: { ...spec, acquireTime: renewTime } }).catch((error: unknown) => {
    // Another replica created it a moment ago for the same agent: the next renewal updates it.
    if (!isApiStatus(error, 409)) throw error;
  });
  return {};
}
