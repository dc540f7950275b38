import type { JsonObject } from '../../api/json.ts';
import { updateObject } from '../../api/objects/object-operations.ts';
import { nodeMetricsResource } from '../../api/registry/kinds/node-metrics.ts';
import { podMetricsResource } from '../../api/registry/kinds/pod-metrics.ts';
import type { ResourceDefinition } from '../../api/registry/resource.ts';
import { isApiStatus } from '../../controller-runtime/index.ts';
import { decodeMetricsReportRequest, type MetricsReportResult, type PodUsage } from '../protocol/index.ts';
import { withoutResourceVersion, type HandlerContext } from './handler-context.ts';

/**
 * `metrics.report`: what the agent measured, stored as metrics.k8s.io NodeMetrics (named as the
 * node) and PodMetrics (named as each pod, owned by it so the garbage collector removes it with
 * the pod) — the objects `kubectl top` and the autoscaler read. One write per object per report.
 */
export async function reportMetrics(request: Uint8Array, context: HandlerContext): Promise<MetricsReportResult> {
  const report = decodeMetricsReportRequest(request);
  const window = `${report.windowSeconds}s`;
  let written = 0;
  await upsert(context, nodeMetricsResource, undefined, report.nodeName, { timestamp: report.timestamp, window, usage: { cpu: report.node.cpu, memory: report.node.memory } });
  written++;
  for (const pod of report.pods) {
    try {
      await upsert(context, podMetricsResource, pod.namespace, pod.name, podFields(pod, report.timestamp, window), ownerOf(pod));
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

function ownerOf(pod: PodUsage): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid, controller: false, blockOwnerDeletion: false };
}

async function upsert(context: HandlerContext, definition: ResourceDefinition, namespace: string | undefined, name: string, fields: JsonObject, owner?: JsonObject): Promise<void> {
  try {
    await updateObject(context.api, definition, namespace, name, (current) => ({ ...withoutResourceVersion(current), ...fields }), { dryRun: false });
    return;
  } catch (error) {
    if (!isApiStatus(error, 404)) throw error;
  }
  const metadata: JsonObject = { name, ...(namespace === undefined ? {} : { namespace }), ...(owner === undefined ? {} : { ownerReferences: [owner] }) };
  await context.client.create(definition, { metadata, ...fields }).catch((error: unknown) => {
    if (!isApiStatus(error, 409)) throw error;
  });
}
