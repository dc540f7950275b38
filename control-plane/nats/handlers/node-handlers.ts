import { asObject, asString, type JsonObject } from '../../api/json.ts';
import { updateObject } from '../../api/objects/object-operations.ts';
import { nodeResource } from '../../api/registry/kinds/node.ts';
import { errors } from '../../api/status.ts';
import { isApiStatus, nameOf } from '../../controller-runtime/index.ts';
import { decodeNodeRegisterRequest, decodeNodeStatusRequest, type NodeRegisterResult, type NodeStatusResult } from '../protocol/index.ts';
import { withoutResourceVersion, type HandlerContext } from './handler-context.ts';
import { mergeNodeStatus } from './node-status-merge.ts';

/**
 * `node.register`: creates the Node as the agent describes it (labels, taints, status), or — when
 * it exists (an agent restart, or the node was registered before) — merges the agent's labels
 * and annotations (e.g. flotilla.io/volumes-directory) into it and replaces the status fields the
 * agent owns. Spec (taints, unschedulable) of an
 * existing Node is left to the cluster's operators and controllers, as kubelet does.
 */
export async function registerNode(request: Uint8Array, context: HandlerContext): Promise<NodeRegisterResult> {
  const { node } = decodeNodeRegisterRequest(request);
  const name = nameOf(node);
  if (name === '') throw errors.badRequest('node.register: the node needs metadata.name');
  try {
    const created = await context.client.create(nodeResource, node);
    return { created: true, resourceVersion: asString(asObject(created['metadata'])?.['resourceVersion']) ?? '' };
  } catch (error) {
    if (!isApiStatus(error, 409)) throw error;
  }
  const labels = asObject(asObject(node['metadata'])?.['labels']) ?? {};
  const annotations = asObject(asObject(node['metadata'])?.['annotations']) ?? {};
  await updateObject(context.api, nodeResource, undefined, name, (current) => {
    const next = withoutResourceVersion(current);
    const metadata = asObject(next['metadata']) ?? {};
    metadata['labels'] = { ...(asObject(metadata['labels']) ?? {}), ...labels };
    if (Object.keys(annotations).length > 0) metadata['annotations'] = { ...(asObject(metadata['annotations']) ?? {}), ...annotations };
    next['metadata'] = metadata;
    return next;
  }, { dryRun: false });
  const updated = await writeNodeStatus(context, name, asObject(node['status']) ?? {});
  return { created: false, resourceVersion: updated };
}

/** `node.status`: the agent's periodic status report (conditions with their heartbeat times, capacity …). */
export async function updateNodeStatus(request: Uint8Array, context: HandlerContext): Promise<NodeStatusResult> {
  const { nodeName, status } = decodeNodeStatusRequest(request);
  return { resourceVersion: await writeNodeStatus(context, nodeName, status) };
}

async function writeNodeStatus(context: HandlerContext, name: string, reported: JsonObject): Promise<string> {
  const written = await updateObject(context.api, nodeResource, undefined, name, (current) => {
    const next = withoutResourceVersion(current);
    next['status'] = mergeNodeStatus(asObject(current['status']), reported);
    return next;
  }, { dryRun: false, subresource: 'status' });
  return asString(asObject(written['metadata'])?.['resourceVersion']) ?? '';
}
