import { asArray, ensureObject, isJsonObject, type JsonObject } from '../../json.ts';

/** Kubernetes' pod spec defaults (SetDefaults_PodSpec, SetDefaults_Container), shared by pods and templates. */
export function defaultPodSpec(spec: JsonObject): void {
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['securityContext'] ??= {};
  for (const key of ['initContainers', 'containers']) {
    for (const container of asArray(spec[key])) if (isJsonObject(container)) defaultContainer(container);
  }
}

function defaultContainer(container: JsonObject): void {
  const image = typeof container['image'] === 'string' ? container['image'] : '';
  // As Kubernetes: an untagged or :latest image is re-pulled, a pinned one is not.
  const lastSegment = image.split('/').pop() ?? '';
  const pinned = lastSegment.includes(':') && !lastSegment.endsWith(':latest');
  container['imagePullPolicy'] ??= pinned || image.includes('@') ? 'IfNotPresent' : 'Always';
  container['terminationMessagePath'] ??= '/dev/termination-log';
  container['terminationMessagePolicy'] ??= 'File';
  container['resources'] ??= {};
  for (const port of asArray(container['ports'])) if (isJsonObject(port)) port['protocol'] ??= 'TCP';
}

export function defaultPodTemplate(object: JsonObject): void {
  const spec = ensureObject(object, 'spec');
  const template = ensureObject(spec, 'template');
  defaultPodSpec(ensureObject(template, 'spec'));
}
