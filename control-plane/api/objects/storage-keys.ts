import type { ResourceDefinition } from '../registry/resource.ts';

/**
 * Where objects live in the store: `/registry/<group or core>/<plural>/<namespace>/<name>` (cluster-scoped
 * kinds have no namespace segment). Prefixes end with '/' so that one namespace's list never
 * includes a namespace whose name merely starts with it.
 */
export const storageRoot = '/registry/';

export function resourcePrefix(definition: ResourceDefinition): string {
  return `${storageRoot}${definition.group === '' ? 'core' : definition.group}/${definition.plural}/`;
}

export function listPrefix(definition: ResourceDefinition, namespace: string | undefined): string {
  const base = resourcePrefix(definition);
  return definition.namespaced && namespace !== undefined ? `${base}${namespace}/` : base;
}

export function objectKey(definition: ResourceDefinition, namespace: string | undefined, name: string): string {
  return definition.namespaced ? `${resourcePrefix(definition)}${namespace ?? ''}/${name}` : `${resourcePrefix(definition)}${name}`;
}
