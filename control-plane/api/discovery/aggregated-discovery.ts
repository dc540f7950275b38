import type { JsonObject } from '../json.ts';
import type { ResourceRegistry } from '../registry/registry.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { authenticationGroupVersion, connectKind, connectVerbs } from './discovery.ts';

/**
 * Aggregated discovery (apidiscovery.k8s.io, Kubernetes 1.26+, GA in 1.30): `/api` and `/apis`
 * answer every group, version and resource in one document when the client asks for it in its
 * Accept header, so kubectl learns the whole API in two requests instead of one per group version.
 */
export const aggregatedDiscoveryVersions = ['v2', 'v2beta1'] as const;
export type AggregatedDiscoveryVersion = (typeof aggregatedDiscoveryVersions)[number];

/** The version of APIGroupDiscoveryList the client asked for first, if any (`g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`). */
export function requestedAggregatedDiscovery(accept: string | undefined): AggregatedDiscoveryVersion | null {
  if (accept === undefined) return null;
  for (const clause of accept.split(',')) {
    const [mediaType, ...parameters] = clause.split(';').map((part) => part.trim());
    if (mediaType !== 'application/json') continue;
    const values = new Map(parameters.map((parameter) => parameter.split('=').map((part) => part.trim()) as [string, string]));
    if (values.get('g') !== 'apidiscovery.k8s.io' || values.get('as') !== 'APIGroupDiscoveryList') continue;
    const version = aggregatedDiscoveryVersions.find((candidate) => candidate === values.get('v'));
    if (version !== undefined) return version;
  }
  return null;
}

export function aggregatedContentType(version: AggregatedDiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

/** `/api` (core: group "") or `/apis` (every named group) as one APIGroupDiscoveryList. */
export function aggregatedDiscoveryDocument(registry: ResourceRegistry, scope: 'core' | 'groups', version: AggregatedDiscoveryVersion): JsonObject {
  const byGroup = new Map<string, Map<string, JsonObject[]>>();
  for (const definition of registry.resources) {
    if ((definition.group === '') !== (scope === 'core')) continue;
    const versions = byGroup.get(definition.group) ?? new Map<string, JsonObject[]>();
    const resources = versions.get(definition.version) ?? [];
    resources.push(discoveredResource(definition));
    versions.set(definition.version, resources);
    byGroup.set(definition.group, versions);
  }
  if (scope === 'groups') {
    byGroup.set(authenticationGroupVersion.group, new Map([[authenticationGroupVersion.version, [selfSubjectReviews()]]]));
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [...byGroup].map(([group, versions]) => ({
      metadata: group === '' ? {} : { name: group },
      versions: [...versions].map(([groupVersion, resources]) => ({ version: groupVersion, resources, freshness: 'Current' })),
    })),
  };
}

function discoveredResource(definition: ResourceDefinition): JsonObject {
  const responseKind = { group: definition.group, version: definition.version, kind: definition.kind };
  const resource: JsonObject = {
    resource: definition.plural,
    responseKind,
    scope: definition.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: definition.singular,
    verbs: [...definition.verbs],
  };
  if (definition.shortNames.length > 0) resource['shortNames'] = [...definition.shortNames];
  if (definition.categories.length > 0) resource['categories'] = [...definition.categories];
  const subresources = subresourcesOf(definition, responseKind);
  if (subresources.length > 0) resource['subresources'] = subresources;
  return resource;
}

function subresourcesOf(definition: ResourceDefinition, responseKind: JsonObject): JsonObject[] {
  const updateVerbs = ['get', 'patch', 'update'];
  const list: JsonObject[] = [];
  if (definition.subresources.status) list.push({ subresource: 'status', responseKind, verbs: updateVerbs });
  if (definition.subresources.scale !== undefined) list.push({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: updateVerbs });
  if (definition.subresources.binding === true) list.push({ subresource: 'binding', responseKind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] });
  for (const connect of definition.subresources.connect ?? []) {
    list.push({ subresource: connect, responseKind: { group: definition.group, version: definition.version, kind: connectKind(definition, connect) }, verbs: connectVerbs(connect) });
  }
  return list;
}

function selfSubjectReviews(): JsonObject {
  return {
    resource: 'selfsubjectreviews',
    responseKind: { group: authenticationGroupVersion.group, version: authenticationGroupVersion.version, kind: 'SelfSubjectReview' },
    scope: 'Cluster',
    singularResource: 'selfsubjectreview',
    verbs: ['create'],
  };
}
