import type { ApiContext } from '../context.ts';
import { asArray, asObject, asString, ensureObject, getPath, isJsonObject, type JsonObject } from '../json.ts';
import { podResource } from '../registry/kinds/pod.ts';
import { decodeStored, encodeObject } from './object-codec.ts';
import { objectKey } from './storage-keys.ts';

export type BindOutcome =
  | { readonly type: 'bound'; readonly pod: JsonObject }
  | { readonly type: 'alreadyBound'; readonly nodeName: string }
  | { readonly type: 'gone' | 'deleting' | 'conflict' };

/** Compare-and-swap attempts of one binding that lost races with status writers. */
export const bindRetriesMax = 3;

export interface BindOptions {
  /** The pod the caller decided about: a pod re-created under the same name is not bound. */
  readonly uid?: string;
  readonly dryRun: boolean;
  /** RFC 3339 time for the PodScheduled condition. */
  readonly nowIso: string;
}

/**
 * `pods/binding`, the one implementation the REST handler and the in-process scheduler share:
 * spec.nodeName and PodScheduled=True in one compare-and-swap, as Kubernetes' Binding does. Only
 * an unbound pod (of the given uid) that is not being deleted can be bound, so a late or duplicate
 * binding — a deposed scheduler's, say — can never move a pod.
 */
export async function bindPodToNode(context: ApiContext, namespace: string, name: string, nodeName: string, options: BindOptions): Promise<BindOutcome> {
  const store = context.store;
  const key = objectKey(podResource, namespace, name);
  for (let attempt = 0; attempt < bindRetriesMax; attempt++) {
    const stored = await store.get(key);
    if (stored === null) return { type: 'gone' };
    const pod = decodeStored(stored);
    if (options.uid !== undefined && getPath(pod, ['metadata', 'uid']) !== options.uid) return { type: 'gone' };
    if (getPath(pod, ['metadata', 'deletionTimestamp']) !== undefined) return { type: 'deleting' };
    const bound = asString(getPath(pod, ['spec', 'nodeName'])) ?? '';
    if (bound !== '') return { type: 'alreadyBound', nodeName: bound };
    ensureObject(pod, 'spec')['nodeName'] = nodeName;
    const status = ensureObject(pod, 'status');
    status['conditions'] = withPodScheduled(asObject(pod['status'])?.['conditions'], options.nowIso);
    if (options.dryRun) return { type: 'bound', pod };
    const result = await store.update(key, encodeObject(pod), stored.modRevision);
    if (result.ok) {
      ensureObject(pod, 'metadata')['resourceVersion'] = String(result.object.modRevision);
      return { type: 'bound', pod };
    }
  }
  return { type: 'conflict' };
}

/** PodScheduled=True, replacing any earlier verdict; Kubernetes leaves reason and message out of it. */
function withPodScheduled(conditions: unknown, nowIso: string): JsonObject[] {
  const list = asArray(conditions).filter(isJsonObject);
  const position = list.findIndex((condition) => condition['type'] === 'PodScheduled');
  const previous = list[position];
  const since = previous?.['status'] === 'True' && typeof previous['lastTransitionTime'] === 'string' ? previous['lastTransitionTime'] : nowIso;
  const scheduled: JsonObject = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: since };
  return position < 0 ? [...list, scheduled] : list.map((condition, index) => (index === position ? scheduled : condition));
}
