import { asObject, asString, cloneJson, getPath, objectsIn, type JsonObject } from '../api/json.ts';
import { namespaceOf, nameOf, stringMap } from '../controller-runtime/index.ts';
import { controllerRevisionHashLabel } from './controller-revision-history.ts';
import { persistentVolumeClaimName, podIndexLabel, statefulSetPodName, statefulSetPodNameLabel } from './stateful-set-identity.ts';

/** The StatefulSet's volumeClaimTemplates that have a name (a nameless one cannot be claimed nor mounted). */
export function claimTemplatesOf(set: JsonObject): JsonObject[] {
  return objectsIn(getPath(set, ['spec', 'volumeClaimTemplates'])).filter((template) => (asString(getPath(template, ['metadata', 'name'])) ?? '') !== '');
}

/**
 * The claims of one ordinal, as Kubernetes' getPersistentVolumeClaims: each template under the name
 * `<template>-<set>-<ordinal>`, labelled with the set's selector labels. No ownerReference: with
 * the Retain policy a claim outlives its pod and its set, and a re-created pod finds its data. Pure.
 */
export function claimsForOrdinal(set: JsonObject, ordinal: number): JsonObject[] {
  const selectorLabels = stringMap(getPath(set, ['spec', 'selector', 'matchLabels']));
  return claimTemplatesOf(set).map((template) => {
    const metadata = asObject(template['metadata']) ?? {};
    const claimMetadata: JsonObject = {
      name: persistentVolumeClaimName(asString(metadata['name']) ?? '', nameOf(set), ordinal),
      namespace: namespaceOf(set),
      labels: { ...stringMap(metadata['labels']), ...selectorLabels },
    };
    if (metadata['annotations'] !== undefined) claimMetadata['annotations'] = cloneJson(metadata['annotations']);
    return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: claimMetadata, spec: cloneJson(asObject(template['spec']) ?? {}) };
  });
}

/** Claim volumes first (replacing any template volume of the same name), then the template's other volumes. */
function volumesWithClaims(set: JsonObject, templateVolumes: readonly JsonObject[], ordinal: number): JsonObject[] {
  const claimVolumes = claimTemplatesOf(set).map((template) => {
    const templateName = asString(getPath(template, ['metadata', 'name'])) ?? '';
    return { name: templateName, persistentVolumeClaim: { claimName: persistentVolumeClaimName(templateName, nameOf(set), ordinal) } };
  });
  const claimed = new Set(claimVolumes.map((volume) => volume.name));
  return [...claimVolumes, ...templateVolumes.filter((volume) => !claimed.has(asString(volume['name']) ?? ''))];
}

/**
 * The pod of one ordinal from a revision's template (Kubernetes' newStatefulSetPod + updateIdentity +
 * updateStorage): stable name, hostname = name, subdomain = serviceName, identity and revision labels,
 * claim volumes, and the set as controller. Pure.
 */
export function statefulSetPod(set: JsonObject, template: JsonObject, ordinal: number, revisionName: string, controllerReference: JsonObject): JsonObject {
  const name = statefulSetPodName(nameOf(set), ordinal);
  const templateMetadata = asObject(template['metadata']) ?? {};
  const spec = cloneJson(asObject(template['spec']) ?? {});
  spec['hostname'] = name;
  const serviceName = asString(getPath(set, ['spec', 'serviceName'])) ?? '';
  if (serviceName !== '') spec['subdomain'] = serviceName;
  else delete spec['subdomain'];
  const volumes = volumesWithClaims(set, objectsIn(spec['volumes']), ordinal);
  if (volumes.length > 0) spec['volumes'] = volumes;
  const metadata: JsonObject = {
    name,
    namespace: namespaceOf(set),
    labels: { ...stringMap(templateMetadata['labels']), [statefulSetPodNameLabel]: name, [podIndexLabel]: String(ordinal), [controllerRevisionHashLabel]: revisionName },
    ownerReferences: [controllerReference],
  };
  if (templateMetadata['annotations'] !== undefined) metadata['annotations'] = cloneJson(templateMetadata['annotations']);
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}
