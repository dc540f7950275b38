import type { ApiContext } from '../context.ts';
import { getPath } from '../json.ts';
import { getObject } from '../objects/object-operations.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { ApiError, errors, StatusReason } from '../status.ts';

/**
 * `pods/log`, `pods/exec`, `pods/attach`, `pods/portforward`: streamed by the agent of the pod's
 * node, through the control plane. Until an agent serves them, the answer is a clear 503 naming
 * the node — after the same checks Kubernetes makes first (the pod exists, it has a node). No
 * Retry-After: client-go would silently retry it for ~50 s before saying anything.
 */
export async function podConnectError(context: ApiContext, definition: ResourceDefinition, namespace: string | undefined, name: string, subresource: string): Promise<ApiError> {
  const { object } = await getObject(context, definition, namespace, name);
  const nodeName = getPath(object, ['spec', 'nodeName']);
  if (typeof nodeName !== 'string' || nodeName === '') {
    return errors.badRequest(`pod ${name} does not have a host assigned`);
  }
  return new ApiError(503, StatusReason.serviceUnavailable, `no agent serves node ${nodeName} yet: pods/${subresource} for pod ${name} needs the node's flotilla agent`);
}
