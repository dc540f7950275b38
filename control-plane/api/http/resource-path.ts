import type { ResourceRegistry } from '../registry/registry.ts';
import type { ResourceTarget } from '../handlers/request.ts';
import { errors } from '../status.ts';

/**
 * Resolves the segments after /api/v1 or /apis/<group>/<version>:
 *   [watch/] <plural>[/<name>[/<subresource>]]
 *   [watch/] namespaces/<namespace>/<plural>[/<name>[/<subresource>]]
 * `namespaces/<name>/status` is the Namespace's own subresource: a namespaced plural wins only when it exists.
 */
export function resolveResourcePath(registry: ResourceRegistry, group: string, version: string, segments: readonly string[]): ResourceTarget {
  const path = segments.join('/');
  const notFound = () => errors.pathNotFound(`${group === '' ? '' : `${group}/`}${version}/${path}`);
  let rest = [...segments];
  const watchPath = rest[0] === 'watch';
  if (watchPath) rest = rest.slice(1);
  if (rest.some((segment) => segment === '')) throw notFound();
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && registry.find(group, version, rest[2] ?? '')?.namespaced === true) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = '', name, subresource, ...extra] = rest;
  const definition = registry.find(group, version, plural);
  if (definition === undefined || extra.length > 0) throw notFound();
  if (subresource !== undefined) {
    const allowed =
      (subresource === 'status' && definition.subresources.status) ||
      (subresource === 'scale' && definition.subresources.scale !== undefined) ||
      (subresource === 'binding' && definition.subresources.binding === true) ||
      (definition.subresources.connect?.includes(subresource) ?? false);
    if (!allowed) throw notFound();
  }
  if (definition.namespaced && namespace === undefined && name !== undefined) throw notFound();
  if (watchPath && subresource !== undefined) throw notFound();
  return { definition, namespace, name, subresource, watchPath };
}
