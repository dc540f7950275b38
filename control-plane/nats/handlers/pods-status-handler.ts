import { asObject, asString, getPath, type JsonObject } from '../../api/json.ts';
import { updateObject } from '../../api/objects/object-operations.ts';
import { podResource } from '../../api/registry/kinds/pod.ts';
import { ApiError, errors } from '../../api/status.ts';
import { annotationsOf, uidOf } from '../../controller-runtime/index.ts';
import { hostPortsAnnotation } from '../../controllers/endpoints-controller.ts';
import { decodePodsStatusRequest, type PodsStatusResult, type PodStatusResultEntry, type PodStatusUpdate } from '../protocol/index.ts';
import { withoutResourceVersion, type HandlerContext } from './handler-context.ts';
import { mergePodStatus } from './pod-status-merge.ts';

/** Pods of one batch written at the same time (each is its own compare-and-swap). */
const concurrentWritesMax = 8;

/**
 * `pods.status`: a batch of the agent's pod statuses. Each is a read-modify-write of one pod
 * (compare-and-swap on the resourceVersion read, retried on a lost race by the API's bounded
 * loop) with a uid precondition; the outcome is reported per pod, so one conflict never fails
 * the batch. The host ports go into the `flotilla.io/host-ports` annotation the endpoints
 * controller reads (a metadata write, made only when they changed).
 */
export async function writePodStatuses(request: Uint8Array, context: HandlerContext): Promise<PodsStatusResult> {
  const { nodeName, updates } = decodePodsStatusRequest(request);
  const results: PodStatusResultEntry[] = new Array<PodStatusResultEntry>(updates.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < updates.length; index = next++) {
      const update = updates[index];
      if (update !== undefined) results[index] = await writeOne(update, nodeName, context);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrentWritesMax, updates.length) }, worker));
  return { results };
}

async function writeOne(update: PodStatusUpdate, nodeName: string, context: HandlerContext): Promise<PodStatusResultEntry> {
  const entry = { namespace: update.namespace, name: update.name, uid: update.uid };
  try {
    let readVersion = '';
    const check = (current: JsonObject): void => {
      if (uidOf(current) !== update.uid) throw errors.conflict(podResource, update.name, `the pod's uid is ${uidOf(current)}, not ${update.uid} (it was replaced)`);
      if (getPath(current, ['spec', 'nodeName']) !== nodeName) throw errors.conflict(podResource, update.name, `the pod is not bound to node ${nodeName}`);
      readVersion = asString(getPath(current, ['metadata', 'resourceVersion'])) ?? '';
    };
    const written = await updateObject(context.api, podResource, update.namespace, update.name, (current) => {
      check(current);
      const proposed = withoutResourceVersion(current);
      proposed['status'] = mergePodStatus(asObject(current['status']), update.status);
      return proposed;
    }, { dryRun: false, subresource: 'status' });
    let version = asString(getPath(written, ['metadata', 'resourceVersion'])) ?? '';
    const statusChanged = version !== readVersion;
    if (Object.keys(update.hostPorts).length > 0) version = await writeHostPorts(context, update, check) ?? version;
    return { ...entry, outcome: statusChanged || version !== readVersion ? 'updated' : 'unchanged', resourceVersion: version, message: '' };
  } catch (error) {
    return { ...entry, ...failureOf(error) };
  }
}

/** The annotation's value: containerPort → hostPort, keys in order so equal maps are equal strings. */
export function hostPortsValue(hostPorts: Readonly<Record<string, number>>): string {
  const sorted = Object.keys(hostPorts).sort((left, right) => Number(left) - Number(right));
  return JSON.stringify(Object.fromEntries(sorted.map((key) => [key, hostPorts[key]])));
}

async function writeHostPorts(context: HandlerContext, update: PodStatusUpdate, check: (current: JsonObject) => void): Promise<string | undefined> {
  const value = hostPortsValue(update.hostPorts);
  const written = await updateObject(context.api, podResource, update.namespace, update.name, (current) => {
    check(current);
    const proposed = withoutResourceVersion(current);
    if (annotationsOf(current)[hostPortsAnnotation] === value) return proposed;
    const metadata = asObject(proposed['metadata']) ?? {};
    metadata['annotations'] = { ...(asObject(metadata['annotations']) ?? {}), [hostPortsAnnotation]: value };
    proposed['metadata'] = metadata;
    return proposed;
  }, { dryRun: false });
  return asString(getPath(written, ['metadata', 'resourceVersion']));
}

function failureOf(error: unknown): Pick<PodStatusResultEntry, 'outcome' | 'resourceVersion' | 'message'> {
  if (error instanceof ApiError && error.code === 404) return { outcome: 'notFound', resourceVersion: '', message: error.message };
  if (error instanceof ApiError && error.code === 409) return { outcome: 'conflict', resourceVersion: '', message: error.message };
  return { outcome: 'failed', resourceVersion: '', message: error instanceof Error ? error.message : String(error) };
}
