import { podResource } from '../../api/registry/kinds/pod.ts';
import { isApiStatus } from '../../controller-runtime/index.ts';
import { decodePodsDeleteRequest, type PodsDeleteResult } from '../protocol/index.ts';
import type { HandlerContext } from './handler-context.ts';

/**
 * `pods.delete`: the agent stopped a pod that was being deleted gracefully (or is gone from its
 * node) and confirms: delete now (gracePeriodSeconds 0), but only that pod (uid precondition),
 * never a new pod that took its name meanwhile.
 */
export async function confirmPodDeletion(request: Uint8Array, context: HandlerContext): Promise<PodsDeleteResult> {
  const { namespace, name, uid } = decodePodsDeleteRequest(request);
  try {
    const deleted = await context.client.delete(podResource, namespace, name, { uid, gracePeriodSeconds: 0 });
    return { outcome: deleted === null ? 'notFound' : 'deleted' };
  } catch (error) {
    if (isApiStatus(error, 409)) return { outcome: 'conflict' };
    throw error;
  }
}
