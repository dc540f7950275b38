import { ProtocolLimits } from './limits.ts';
import {
  protocolVersion, type AgentEvent, type ConfigGetRequest, type ConfigGetResult, type EventsRecordRequest, type EventsRecordResult, type LeaseRenewRequest,
  type MetricsReportRequest, type MetricsReportResult, type NodeRegisterRequest, type NodeRegisterResult, type NodeStatusRequest, type NodeStatusResult,
  type PodStatusResultEntry, type PodStatusUpdate, type PodsDeleteRequest, type PodsDeleteResult, type PodsListRequest, type PodsListResult, type PodsStatusRequest,
  type PodsStatusResult, type PodUsage, type VolumesListRequest, type VolumesListResult, type VolumesResolveRequest, type VolumesResolveResult,
} from './messages.ts';
import { Fields } from './shape.ts';
import { decodeFields } from './codec.ts';

/** Decoders of the agent → control plane operations and of their results (encoding is `encodeMessage`). */

/** Containers per pod and pods per report accepted in one metrics report. */
const containersPerPodMax = 64;
const podsPerMetricsReportMax = 500;

export function decodeNodeRegisterRequest(bytes: Uint8Array): NodeRegisterRequest {
  const fields = decodeFields(bytes, 'node.register');
  return { version: protocolVersion, node: fields.object('node') };
}

export function readNodeRegisterResult(fields: Fields): NodeRegisterResult {
  return { created: fields.boolean('created'), resourceVersion: fields.string('resourceVersion') };
}

export function decodeNodeStatusRequest(bytes: Uint8Array): NodeStatusRequest {
  const fields = decodeFields(bytes, 'node.status');
  return { version: protocolVersion, nodeName: fields.string('nodeName'), status: fields.object('status') };
}

export function readNodeStatusResult(fields: Fields): NodeStatusResult {
  return { resourceVersion: fields.string('resourceVersion') };
}

export function decodeLeaseRenewRequest(bytes: Uint8Array): LeaseRenewRequest {
  const fields = decodeFields(bytes, 'lease.renew');
  return {
    version: protocolVersion,
    nodeName: fields.string('nodeName'),
    renewTime: fields.string('renewTime'),
    leaseDurationSeconds: fields.integer('leaseDurationSeconds', 1, 3600),
  };
}

export function decodePodsListRequest(bytes: Uint8Array): PodsListRequest {
  const fields = decodeFields(bytes, 'pods.list');
  return { version: protocolVersion, nodeName: fields.string('nodeName'), revision: fields.integer('revision', 0), continueAfter: fields.string('continueAfter') };
}

export function readPodsListResult(fields: Fields): PodsListResult {
  return { revision: fields.integer('revision', 0), pods: fields.objects('pods', ProtocolLimits.podsPerListPageMax), continueAfter: fields.string('continueAfter') };
}

export function decodeConfigGetRequest(bytes: Uint8Array): ConfigGetRequest {
  const fields = decodeFields(bytes, 'config.get');
  return { version: protocolVersion, kind: fields.oneOf('kind', ['ConfigMap', 'Secret']), namespace: fields.string('namespace'), name: fields.string('name') };
}

export function readConfigGetResult(fields: Fields): ConfigGetResult {
  return { found: fields.boolean('found'), revision: fields.integer('revision', 0), data: fields.stringMap('data') };
}

export function decodePodsStatusRequest(bytes: Uint8Array): PodsStatusRequest {
  const fields = decodeFields(bytes, 'pods.status');
  const updates = fields.list('updates', ProtocolLimits.statusesPerBatchMax, (item, path): PodStatusUpdate => {
    const update = Fields.nested(item, path);
    return { namespace: update.string('namespace'), name: update.string('name'), uid: update.string('uid'), status: update.object('status'), hostPorts: update.numberMap('hostPorts') };
  });
  return { version: protocolVersion, nodeName: fields.string('nodeName'), updates };
}

export function readPodsStatusResult(fields: Fields): PodsStatusResult {
  const results = fields.list('results', ProtocolLimits.statusesPerBatchMax, (item, path): PodStatusResultEntry => {
    const entry = Fields.nested(item, path);
    return {
      namespace: entry.string('namespace'), name: entry.string('name'), uid: entry.string('uid'),
      outcome: entry.oneOf('outcome', ['updated', 'unchanged', 'conflict', 'notFound', 'failed']),
      resourceVersion: entry.string('resourceVersion'), message: entry.string('message'),
    };
  });
  return { results };
}

export function decodePodsDeleteRequest(bytes: Uint8Array): PodsDeleteRequest {
  const fields = decodeFields(bytes, 'pods.delete');
  return { version: protocolVersion, namespace: fields.string('namespace'), name: fields.string('name'), uid: fields.string('uid') };
}

export function readPodsDeleteResult(fields: Fields): PodsDeleteResult {
  return { outcome: fields.oneOf('outcome', ['deleted', 'notFound', 'conflict']) };
}

export function decodeEventsRecordRequest(bytes: Uint8Array): EventsRecordRequest {
  const fields = decodeFields(bytes, 'events.record');
  const events = fields.list('events', ProtocolLimits.eventsPerBatchMax, (item, path): AgentEvent => {
    const event = Fields.nested(item, path);
    const involved = Fields.nested(event.object('involvedObject'), `${path}.involvedObject`);
    return {
      name: event.string('name'), namespace: event.string('namespace'),
      involvedObject: {
        kind: involved.string('kind'), apiVersion: involved.string('apiVersion'), namespace: involved.string('namespace'),
        name: involved.string('name'), uid: involved.string('uid'), fieldPath: involved.string('fieldPath'),
      },
      type: event.oneOf('type', ['Normal', 'Warning']), reason: event.string('reason'), message: event.string('message'),
      count: event.integer('count', 1), firstTimestamp: event.string('firstTimestamp'), lastTimestamp: event.string('lastTimestamp'),
    };
  });
  return { version: protocolVersion, nodeName: fields.string('nodeName'), events };
}

export function readEventsRecordResult(fields: Fields): EventsRecordResult {
  return { written: fields.integer('written', 0), failed: fields.integer('failed', 0) };
}

export function decodeMetricsReportRequest(bytes: Uint8Array): MetricsReportRequest {
  const fields = decodeFields(bytes, 'metrics.report');
  const node = Fields.nested(fields.object('node'), 'metrics.report: node');
  const pods = fields.list('pods', podsPerMetricsReportMax, (item, path): PodUsage => {
    const pod = Fields.nested(item, path);
    const containers = pod.list('containers', containersPerPodMax, (entry, entryPath) => {
      const container = Fields.nested(entry, entryPath);
      return { name: container.string('name'), cpu: container.string('cpu'), memory: container.string('memory') };
    });
    return { namespace: pod.string('namespace'), name: pod.string('name'), uid: pod.string('uid'), labels: pod.stringMap('labels'), containers };
  });
  return {
    version: protocolVersion, nodeName: fields.string('nodeName'), timestamp: fields.string('timestamp'), windowSeconds: fields.integer('windowSeconds', 0, 3600),
    node: { cpu: node.string('cpu'), memory: node.string('memory') }, pods,
  };
}

export function readMetricsReportResult(fields: Fields): MetricsReportResult {
  return { written: fields.integer('written', 0) };
}

export function decodeVolumesResolveRequest(bytes: Uint8Array): VolumesResolveRequest {
  const fields = decodeFields(bytes, 'volumes.resolve');
  return { version: protocolVersion, namespace: fields.string('namespace'), claimName: fields.string('claimName') };
}

export function readVolumesResolveResult(fields: Fields): VolumesResolveResult {
  return {
    found: fields.boolean('found'), bound: fields.boolean('bound'), volumeName: fields.string('volumeName'),
    source: fields.oneOf('source', ['hostPath', 'local', '']), path: fields.string('path'), hostPathType: fields.string('hostPathType'),
  };
}

export function decodeVolumesListRequest(bytes: Uint8Array): VolumesListRequest {
  decodeFields(bytes, 'volumes.list');
  return { version: protocolVersion };
}

export function readVolumesListResult(fields: Fields): VolumesListResult {
  return { names: fields.strings('names', ProtocolLimits.volumeNamesMax), complete: fields.boolean('complete') };
}

/** A result with nothing in it (lease.renew). */
export function readEmptyResult(): Record<never, never> {
  return {};
}
