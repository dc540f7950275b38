import { asObject, ensureObject, getPath, type JsonObject } from '../api/json.ts';
import { decodeStored, encodeObject } from '../api/objects/object-codec.ts';
import { objectKey } from '../api/objects/storage-keys.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { withCondition, type ApiClient } from '../controller-runtime/index.ts';

export type BindOutcome =
  | { readonly type: 'bound'; readonly pod: JsonObject }
  | { readonly type: 'gone' | 'alreadyBound' | 'conflict' };

/** Compare-and-swap attempts of one binding that lost races with status writers. */
export const bindRetriesMax = 3;

/**
 * Binds a pod to a node: spec.nodeName and PodScheduled=True in one compare-and-swap, as the
 * `pods/binding` subresource does (only an unbound pod of the same uid can be bound, so a late or
 * duplicate binding cannot move a pod). This is the one place binding happens: when the API layer
 * offers `pods/binding` in process, this function calls it instead.
 */
export async function bindPod(client: ApiClient, namespace: string, name: string, uid: string, nodeName: string, nowIso: string): Promise<BindOutcome> {
  const store = client.context.store;
  const key = objectKey(podResource, namespace, name);
  for (let attempt = 0; attempt < bindRetriesMax; attempt++) {
    const stored = await store.get(key);
    if (stored === null) return { type: 'gone' };
    const pod = decodeStored(stored);
    if (getPath(pod, ['metadata', 'uid']) !== uid || getPath(pod, ['metadata', 'deletionTimestamp']) !== undefined) return { type: 'gone' };
    if ((getPath(pod, ['spec', 'nodeName']) ?? '') !== '') return { type: 'alreadyBound' };
    ensureObject(pod, 'spec')['nodeName'] = nodeName;
    const status = ensureObject(pod, 'status');
    status['conditions'] = withCondition(asObject(pod['status'])?.['conditions'], { type: 'PodScheduled', status: 'True', reason: '', message: '' }, nowIso, ['lastProbeTime']).map(dropEmpty);
    const result = await store.update(key, encodeObject(pod), stored.modRevision);
    if (result.ok) {
      ensureObject(pod, 'metadata')['resourceVersion'] = String(result.object.modRevision);
      return { type: 'bound', pod };
    }
  }
  return { type: 'conflict' };
}

/** Kubernetes leaves reason and message out of a successful PodScheduled condition. */
function dropEmpty(condition: JsonObject): JsonObject {
  const copy = { ...condition };
  if (copy['reason'] === '') delete copy['reason'];
  if (copy['message'] === '') delete copy['message'];
  if (copy['lastProbeTime'] !== undefined && copy['type'] === 'PodScheduled') copy['lastProbeTime'] = null;
  return copy;
}
