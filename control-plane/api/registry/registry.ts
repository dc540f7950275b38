import { assert } from '../../../common/assert.ts';
import { apiVersionOf, type ResourceDefinition } from './resource.ts';

export interface GroupVersion {
  readonly group: string;
  readonly version: string;
}

/** Lookup of the declared kinds by URL (group, version, plural) and by body (apiVersion, kind). */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceDefinition>();
  private readonly byKind = new Map<string, ResourceDefinition>();

  constructor(readonly resources: readonly ResourceDefinition[]) {
    for (const resource of resources) {
      const pathKey = `${resource.group}/${resource.version}/${resource.plural}`;
      assert(!this.byPath.has(pathKey), () => `resource ${pathKey} is declared twice`);
      this.byPath.set(pathKey, resource);
      this.byKind.set(`${apiVersionOf(resource)}/${resource.kind}`, resource);
    }
  }

  find(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  findKind(apiVersion: string, kind: string): ResourceDefinition | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Group versions in declaration order, the core group ("") first. */
  groupVersions(): GroupVersion[] {
    const seen = new Map<string, GroupVersion>();
    for (const resource of this.resources) seen.set(`${resource.group}/${resource.version}`, { group: resource.group, version: resource.version });
    return [...seen.values()];
  }

  inGroupVersion(group: string, version: string): ResourceDefinition[] {
    return this.resources.filter((resource) => resource.group === group && resource.version === version);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.resources.some((resource) => resource.group === group && resource.version === version);
  }
}
