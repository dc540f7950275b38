import { createHash } from 'node:crypto';
import type { JsonObject } from '../json.ts';
import type { GroupVersion, ResourceRegistry } from '../registry/registry.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { scaleResource } from '../handlers/scale.ts';
import { OpenApiSchemas } from './schema-to-openapi.ts';

/**
 * OpenAPI v3, one document per group version, as kubectl reads it: the PATCH operations carry
 * x-kubernetes-group-version-kind and a `fieldValidation` query parameter, which is how kubectl
 * learns that the server validates fields itself (it then skips client-side validation); the
 * component schemas carry the same extension, which `kubectl explain` looks up.
 */
export function groupVersionPath(gv: GroupVersion): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

const queryParameter = (name: string, description: string): JsonObject => ({ name, in: 'query', description, schema: { type: 'string', uniqueItems: true } });
const pathParameter = (name: string): JsonObject => ({ name, in: 'path', required: true, description: `${name} of the resource`, schema: { type: 'string', uniqueItems: true } });
const writeParameters = [
  queryParameter('dryRun', 'When present, indicates that modifications should not be persisted. Valid value: All.'),
  queryParameter('fieldManager', 'A name associated with the actor or entity that is making these changes.'),
  queryParameter('fieldValidation', 'How the server handles unknown fields: Ignore, Warn (default) or Strict.'),
];
const patchContentTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

function gvk(group: string, version: string, kind: string): JsonObject {
  return { group, version, kind };
}

function operation(action: string, kind: JsonObject, responseSchema: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    operationId: `${action}${String(kind['kind'])}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: responseSchema } } } },
    ...extra,
  };
}

function objectOperations(kind: JsonObject, schema: JsonObject, patchSchema: JsonObject): JsonObject {
  const body = { content: { 'application/json': { schema } }, required: true };
  return {
    get: operation('get', kind, schema),
    put: operation('put', kind, schema, { parameters: writeParameters, requestBody: body }),
    patch: operation('patch', kind, schema, {
      parameters: [...writeParameters, queryParameter('force', 'Force is going to "force" Apply requests.')],
      requestBody: { content: Object.fromEntries(patchContentTypes.map((type) => [type, { schema: patchSchema }])), required: true },
    }),
  };
}

function addResourcePaths(paths: JsonObject, schemas: OpenApiSchemas, definition: ResourceDefinition): void {
  const base = `/${groupVersionPath(definition)}`;
  const collection = definition.namespaced ? `${base}/namespaces/{namespace}/${definition.plural}` : `${base}/${definition.plural}`;
  const pathParameters = definition.namespaced ? [pathParameter('namespace')] : [];
  const kind = gvk(definition.group, definition.version, definition.kind);
  const schema = schemas.object(definition.schema, { 'x-kubernetes-group-version-kind': [kind] });
  const patchSchema = schemas.shared('io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  paths[collection] = {
    parameters: pathParameters,
    get: operation('list', kind, { type: 'object' }),
    post: operation('post', kind, schema, { parameters: writeParameters, requestBody: { content: { 'application/json': { schema } }, required: true } }),
    delete: operation('deletecollection', kind, { type: 'object' }),
  };
  const item = `${collection}/{name}`;
  paths[item] = { parameters: [pathParameter('name'), ...pathParameters], ...objectOperations(kind, schema, patchSchema), delete: operation('delete', kind, schema) };
  if (definition.subresources.status) paths[`${item}/status`] = { parameters: [pathParameter('name'), ...pathParameters], ...objectOperations(kind, schema, patchSchema) };
  if (definition.subresources.scale !== undefined) {
    const scaleKind = gvk('autoscaling', 'v1', 'Scale');
    const scaleSchema = schemas.object(scaleResource.schema, { 'x-kubernetes-group-version-kind': [scaleKind] });
    paths[`${item}/scale`] = { parameters: [pathParameter('name'), ...pathParameters], ...objectOperations(scaleKind, scaleSchema, patchSchema) };
  }
  if (definition.namespaced) paths[`${base}/${definition.plural}`] = { get: operation('list', kind, { type: 'object' }) };
}

export function groupVersionDocument(registry: ResourceRegistry, gv: GroupVersion): JsonObject {
  const schemas = new OpenApiSchemas();
  const paths: JsonObject = {};
  for (const definition of registry.inGroupVersion(gv.group, gv.version)) addResourcePaths(paths, schemas, definition);
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas: schemas.components } };
}

/** All documents, rendered once (the registry is fixed for the server's life), with their content hashes. */
export class OpenApiV3Documents {
  private readonly documents = new Map<string, { body: string; hash: string }>();

  constructor(registry: ResourceRegistry) {
    for (const gv of registry.groupVersions()) {
      const body = JSON.stringify(groupVersionDocument(registry, gv));
      this.documents.set(groupVersionPath(gv), { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() });
    }
  }

  root(): JsonObject {
    const paths: JsonObject = {};
    for (const [path, document] of this.documents) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${document.hash}` };
    return { paths };
  }

  document(path: string): { body: string; hash: string } | undefined {
    return this.documents.get(path);
  }
}
