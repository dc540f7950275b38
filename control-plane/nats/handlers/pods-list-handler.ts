import { getPath } from '../../api/json.ts';
import { decodeStored } from '../../api/objects/object-codec.ts';
import { listPrefix } from '../../api/objects/storage-keys.ts';
import { podResource } from '../../api/registry/kinds/pod.ts';
import { encodeMessage, ProtocolLimits, decodePodsListRequest, type PodsListResult } from '../protocol/index.ts';
import type { HandlerContext } from './handler-context.ts';
import type { JsonObject } from '../../api/json.ts';

/** Store objects read per page while looking for a node's pods, and pages read for one answer. */
const storePageSize = 500;
const storePagesPerAnswerMax = 20;
/** Encoded bytes of the pods in one answer (under the protocol's message limit, with room for the envelope). */
const podBytesPerAnswerMax = 700 * 1024;

/**
 * `pods.list`: the pods bound to a node (Kubernetes' fieldSelector spec.nodeName), one bounded
 * page at a time, every page read at the first page's revision so that the pages form one
 * consistent snapshot (a compacted revision is 410: the agent starts over). Reads are linearizable.
 */
export async function listNodePods(request: Uint8Array, context: HandlerContext): Promise<PodsListResult> {
  const { nodeName, continueAfter, revision: asked } = decodePodsListRequest(request);
  const pods: JsonObject[] = [];
  let bytes = 0;
  let revision = asked;
  let after = continueAfter;
  for (let page = 0; page < storePagesPerAnswerMax; page++) {
    const result = await context.api.store.list(listPrefix(podResource, undefined), { limit: storePageSize, revision, ...(after === '' ? {} : { continueAfter: after }) });
    revision = result.revision;
    for (const stored of result.items) {
      const pod = decodeStored(stored);
      if (getPath(pod, ['spec', 'nodeName']) !== nodeName) {
        after = stored.key;
        continue;
      }
      const size = encodeMessage(pod).length;
      if (pods.length >= ProtocolLimits.podsPerListPageMax || (pods.length > 0 && bytes + size > podBytesPerAnswerMax)) return { revision, pods, continueAfter: after };
      pods.push(pod);
      bytes += size;
      after = stored.key;
    }
    if (!result.more) return { revision, pods, continueAfter: '' };
  }
  return { revision, pods, continueAfter: after };
}
