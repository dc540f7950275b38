import { asObject, type JsonObject } from '../../api/json.ts';
import { updateObject } from '../../api/objects/object-operations.ts';
import { nodeMetricsResource } from '../../api/registry/kinds/node-metrics.ts';
import { nodeResource } from '../../api/registry/kinds/node.ts';
import { podMetricsResource } from '../../api/registry/kinds/pod-metrics.ts';
import type { ResourceDefinition } from '../../api/registry/resource.ts';
import { isApiStatus, labelsOfObject, uidOf } from '../../controller-runtime/index.ts';
import { decodeMetricsReportRequest, type MetricsReportResult, type PodUsage } from '../protocol/index.ts';
import { withoutResourceVersion, type HandlerContext } from './handler-context.ts';

/**
 * `metrics.report`: what the agent measured, stored as metrics.k8s.io NodeMetrics (named as the
 * node) and PodMetrics (named as each pod) — the objects `kubectl top` and the autoscaler read
 * (controllers/README.md, "Contract: resource metrics"): each owned by its pod or node, so the
 * garbage collector removes it with its owner, and carrying its owner's labels, so `top -l`
 * selects. One write per object per report.
 */
export async function reportMetrics(request: Uint8Array, context: HandlerContext): Promise<MetricsReportResult> {
  const report = decodeMetricsReportRequest(request);
  const window = `${report.windowSeconds}s`;
  let written = 0;
  const node = await context.client.get(nodeResource, undefined, report.nodeName);
  if (node !== null) {
    const owner = { apiVersion: 'v1', kind: 'Node', name: report.nodeName, uid: uidOf(node) };
    await upsert(context, nodeMetricsResource, undefined, report.nodeName, labelsOfObject(node), owner, { timestamp: report.timestamp, window, usage: { cpu: report.node.cpu, memory: report.node.memory } });
    written++;
  }
  for (const pod of report.pods) {
    try {
      await upsert(context, podMetricsResource, pod.namespace, pod.name, pod.labels, { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid }, podFields(pod, report.timestamp, window));
      written++;
    } catch (error) {
      // A pod deleted since the measurement (its namespace may be terminating): skip it.
      context.logger.debug({ err: error, pod: `${pod.namespace}/${pod.name}` }, 'pod metrics not written');
    }
  }
  return { written };
}

function podFields(pod: PodUsage, timestamp: string, window: string): JsonObject {
  return { timestamp, window, containers: pod.containers.map((container) => ({ name: container.name, usage: { cpu: container.cpu, memory: container.memory } })) };
}

/** Creates the object, or updates its usage and labels (owner kept). */
async function upsert(
  context: HandlerContext, definition: ResourceDefinition, namespace: string | undefined, name: string,
  labels: Readonly<Record<string, string>>, owner: JsonObject, fields: JsonObject,
): Promise<void> {
  try {
    await updateObject(context.api, definition, namespace, name, (current) => {
      const next = { ...withoutResourceVersion(current), ...fields };
      next['metadata'] = { ...(asObject(next['metadata']) ?? {}), labels: { ...labels } };
      return next;
    }, { dryRun: false });
    return;
  } catch (error) {
    if (!isApiStatus(error, 404)) throw error;
  }
  const metadata: JsonObject = { name, labels: { ...labels }, ownerReferences: [{ ...owner, controller: false, blockOwnerDeletion: false }], ...(namespace === undefined ? {} : { namespace }) };
  await context.client.create(definition, { metadata, ...fields }).catch((error: unknown) => {
    if (!isApiStatus(error, 409)) throw error;
  });
}
