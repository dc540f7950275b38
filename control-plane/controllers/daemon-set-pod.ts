import { asObject, cloneJson, type JsonObject } from '../api/json.ts';
import { nameOf, namespaceOf, stringMap } from '../controller-runtime/index.ts';
import { controllerRevisionHashLabel } from './controller-revision-history.ts';
import { pinnedToNode, withDaemonTolerations } from './daemon-set-node-fit.ts';

/**
 * A DaemonSet's pod for one node (Kubernetes' NewPod + ReplaceDaemonSetPodNodeNameNodeAffinity):
 * the template with the daemon tolerations, a required node affinity `metadata.name In [node]` for
 * the default scheduler, the revision's hash label, and the set as controller. Pure.
 */
export function daemonSetPod(set: JsonObject, template: JsonObject, nodeName: string, hash: string, controllerReference: JsonObject): JsonObject {
  const templateMetadata = asObject(template['metadata']) ?? {};
  const spec = cloneJson(asObject(template['spec']) ?? {});
  spec['tolerations'] = withDaemonTolerations(spec);
  spec['affinity'] = pinnedToNode(asObject(spec['affinity']), nodeName);
  const metadata: JsonObject = {
    generateName: `${nameOf(set)}-`,
    namespace: namespaceOf(set),
    labels: { ...stringMap(templateMetadata['labels']), [controllerRevisionHashLabel]: hash },
    ownerReferences: [controllerReference],
  };
  if (templateMetadata['annotations'] !== undefined) metadata['annotations'] = cloneJson(templateMetadata['annotations']);
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
