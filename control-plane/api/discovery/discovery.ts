import type { JsonObject } from '../json.ts';
import type { ResourceRegistry } from '../registry/registry.ts';
import type { ResourceDefinition } from '../registry/resource.ts';

/** The Kubernetes version the API server presents (kubectl warns beyond one minor version of skew). */
export const serverVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-flotilla' } as const;

export function versionDocument(): JsonObject {
  return {
    ...serverVersion,
    gitCommit: 'flotilla',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'n/a',
    compiler: 'n/a',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/** Groups served outside the registry: POST-only review endpoints. */
export const authenticationGroupVersion = { group: 'authentication.k8s.io', version: 'v1' } as const;

export function apiVersionsDocument(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDocument(group: string, versions: readonly string[]): JsonObject {
  const list = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: list, preferredVersion: list[0] ?? {} };
}

export function apiGroupListDocument(registry: ResourceRegistry): JsonObject {
  const groups = new Map<string, string[]>();
  for (const { group, version } of registry.groupVersions()) {
    if (group === '') continue;
    const versions = groups.get(group) ?? [];
    versions.push(version);
    groups.set(group, versions);
  }
  groups.set(authenticationGroupVersion.group, [authenticationGroupVersion.version]);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...groups].map(([group, versions]) => groupDocument(group, versions)) };
}

export function apiGroupDocument(registry: ResourceRegistry, group: string): JsonObject | null {
  const versions = group === authenticationGroupVersion.group ? [authenticationGroupVersion.version] : registry.groupVersions().filter((gv) => gv.group === group).map((gv) => gv.version);
  return versions.length === 0 ? null : { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(group, versions) };
}

/** The kind a streaming subresource answers with: pods/log a Pod, pods/exec PodExecOptions, and so on. */
export function connectKind(definition: ResourceDefinition, connect: string): string {
  if (connect === 'log') return definition.kind;
  return `${definition.kind}${connect === 'exec' ? 'ExecOptions' : connect === 'attach' ? 'AttachOptions' : 'PortForwardOptions'}`;
}

export function connectVerbs(connect: string): string[] {
  return connect === 'log' ? ['get'] : ['create', 'get'];
}

function resourceEntries(definition: ResourceDefinition): JsonObject[] {
  const main: JsonObject = {
    name: definition.plural,
    singularName: definition.singular,
    namespaced: definition.namespaced,
    kind: definition.kind,
    verbs: [...definition.verbs],
  };
  if (definition.shortNames.length > 0) main['shortNames'] = [...definition.shortNames];
  if (definition.categories.length > 0) main['categories'] = [...definition.categories];
  const entries = [main];
  const subresourceVerbs = ['get', 'patch', 'update'];
  if (definition.subresources.status) entries.push({ name: `${definition.plural}/status`, singularName: '', namespaced: definition.namespaced, kind: definition.kind, verbs: subresourceVerbs });
  if (definition.subresources.scale !== undefined) {
    entries.push({ name: `${definition.plural}/scale`, singularName: '', namespaced: definition.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: subresourceVerbs });
  }
  if (definition.subresources.binding === true) entries.push({ name: `${definition.plural}/binding`, singularName: '', namespaced: definition.namespaced, kind: 'Binding', verbs: ['create'] });
  for (const connect of definition.subresources.connect ?? []) {
    entries.push({ name: `${definition.plural}/${connect}`, singularName: '', namespaced: definition.namespaced, kind: connectKind(definition, connect), verbs: connectVerbs(connect) });
  }
  return entries;
}

export function apiResourceListDocument(registry: ResourceRegistry, group: string, version: string): JsonObject | null {
  const groupVersion = group === '' ? version : `${group}/${version}`;
  if (group === authenticationGroupVersion.group && version === authenticationGroupVersion.version) {
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: [{ name: 'selfsubjectreviews', singularName: 'selfsubjectreview', namespaced: false, kind: 'SelfSubjectReview', verbs: ['create'] }],
    };
  }
  if (!registry.hasGroupVersion(group, version)) return null;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources: registry.inGroupVersion(group, version).flatMap(resourceEntries) };
}
