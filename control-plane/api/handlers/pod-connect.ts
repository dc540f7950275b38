import type { ApiContext } from '../context.ts';
import { getPath } from '../json.ts';
import { getObject } from '../objects/object-operations.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { ApiError, errors, StatusReason } from '../status.ts';
import { handlePodLog } from './pod-log.ts';
import { requireName, type HandlerResult, type ResourceRequest } from './request.ts';

/**
 * `pods/log`, `pods/exec`, `pods/attach`, `pods/portforward` over plain HTTP. The log is streamed
 * from the node's agent (pod-log.ts); exec arrives as a WebSocket upgrade instead (http/upgrade.ts),
 * so a plain request for it, like attach and portforward (not served), gets a clear Status.
 */
export async function handlePodConnect(context: ApiContext, request: ResourceRequest, subresource: string): Promise<HandlerResult> {
  if (subresource === 'log') return handlePodLog(context, request);
  throw await podConnectError(context, request.target.definition, request.target.namespace, requireName(request.target), subresource);
}

/**
 * The answer for a connect subresource that is not served: 404 for a missing pod, 400 for an
 * unscheduled one, else 503 naming the node — after the same checks Kubernetes makes first. No
 * Retry-After: client-go would silently retry it for ~50 s before saying anything.
 */
export async function podConnectError(context: ApiContext, definition: ResourceDefinition, namespace: string | undefined, name: string, subresource: string): Promise<ApiError> {
  const { object } = await getObject(context, definition, namespace, name);
  const nodeName = getPath(object, ['spec', 'nodeName']);
  if (typeof nodeName !== 'string' || nodeName === '') {
    return errors.badRequest(`pod ${name} does not have a host assigned`);
  }
  if (subresource === 'exec' && context.podStreams !== undefined) return errors.badRequest('Upgrade request required: pods/exec is served over WebSocket (v5.channel.k8s.io); SPDY is not');
  return new ApiError(503, StatusReason.serviceUnavailable, `no agent serves node ${nodeName} yet: pods/${subresource} for pod ${name} needs the node's flotilla agent`);
}
