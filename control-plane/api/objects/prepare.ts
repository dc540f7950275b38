import { asArray, asObject, asString, cloneJson, ensureObject, isJsonObject, jsonEqual, type JsonObject } from '../json.ts';
import { apiVersionOf, type ResourceDefinition } from '../registry/resource.ts';
import { errors } from '../status.ts';
import { fieldError, toCause, type FieldError } from '../validation/field-error.ts';
import { validateObjectMeta } from '../validation/object-meta.ts';

/** What the server decides on a write: the time, and fresh identifiers. */
export interface WriteContext {
  readonly nowIso: string;
  readonly newUid: () => string;
  /** Five characters for generateName, as Kubernetes' SimpleNameGenerator. */
  readonly randomSuffix: () => string;
}

/** Metadata only the server sets; a client's values are replaced. */
const serverOwnedMetadata = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'] as const;

/** Named limit: generateName prefixes are cut so that prefix + suffix stays a valid 63-character name. */
const generateNamePrefixMax = 58;

export function prepareCreate(definition: ResourceDefinition, body: JsonObject, namespace: string | undefined, context: WriteContext): JsonObject {
  const object = cloneJson(body);
  object['apiVersion'] = apiVersionOf(definition);
  object['kind'] = definition.kind;
  const metadata = ensureObject(object, 'metadata');
  setNamespace(definition, metadata, namespace);
  const generateName = asString(metadata['generateName']) ?? '';
  if ((asString(metadata['name']) ?? '') === '' && generateName !== '') {
    metadata['name'] = `${generateName.slice(0, generateNamePrefixMax)}${context.randomSuffix()}`;
  }
  for (const key of serverOwnedMetadata) delete metadata[key];
  delete metadata['resourceVersion'];
  delete metadata['managedFields'];
  metadata['uid'] = context.newUid();
  metadata['creationTimestamp'] = context.nowIso;
  if (definition.tracksGeneration) metadata['generation'] = 1;
  if (definition.resetStatusOnCreate) delete object['status'];
  definition.defaults(object);
  validate(definition, object, null);
  return object;
}

function setNamespace(definition: ResourceDefinition, metadata: JsonObject, namespace: string | undefined): void {
  if (!definition.namespaced) {
    delete metadata['namespace'];
    return;
  }
  const bodyNamespace = asString(metadata['namespace']) ?? '';
  if (bodyNamespace !== '' && namespace !== undefined && bodyNamespace !== namespace) {
    throw errors.badRequest(`the namespace of the provided object (${bodyNamespace}) does not match the namespace sent on the request (${namespace})`);
  }
  metadata['namespace'] = namespace ?? bodyNamespace;
}

/**
 * The object to store for an update of `old`: server-owned metadata is kept, the status is kept
 * on the main resource (and only the status taken on /status), generation counts spec changes.
 */
export function prepareUpdate(definition: ResourceDefinition, body: JsonObject, old: JsonObject, subresource: 'status' | undefined): JsonObject {
  const oldMetadata = asObject(old['metadata']) ?? {};
  const bodyName = asString(asObject(body['metadata'])?.['name']) ?? '';
  const name = asString(oldMetadata['name']) ?? '';
  if (bodyName !== '' && bodyName !== name) throw errors.badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
  const object = subresource === 'status' ? statusOnly(old, body) : cloneJson(body);
  object['apiVersion'] = apiVersionOf(definition);
  object['kind'] = definition.kind;
  const metadata = ensureObject(object, 'metadata');
  if (definition.namespaced) {
    const bodyNamespace = asString(metadata['namespace']) ?? '';
    if (bodyNamespace !== '' && bodyNamespace !== oldMetadata['namespace']) throw errors.badRequest(`the namespace of the provided object (${bodyNamespace}) does not match the namespace sent on the request`);
  }
  for (const key of ['name', 'namespace', 'generateName', ...serverOwnedMetadata]) {
    const value = oldMetadata[key];
    if (value === undefined) delete metadata[key];
    else metadata[key] = value;
  }
  delete metadata['managedFields'];
  if (subresource === undefined && definition.subresources.status) {
    if (old['status'] === undefined) delete object['status'];
    else object['status'] = old['status'];
  }
  definition.defaults(object);
  if (definition.tracksGeneration && !jsonEqual(specPart(object), specPart(old))) metadata['generation'] = Number(oldMetadata['generation'] ?? 0) + 1;
  validate(definition, object, old, finalizerProblems(metadata, oldMetadata));
  return object;
}

function statusOnly(old: JsonObject, body: JsonObject): JsonObject {
  const object = cloneJson(old);
  if (body['status'] === undefined) delete object['status'];
  else object['status'] = body['status'];
  const resourceVersion = asObject(body['metadata'])?.['resourceVersion'];
  if (resourceVersion !== undefined) ensureObject(object, 'metadata')['resourceVersion'] = resourceVersion;
  return object;
}

/** Everything but metadata and status: what a generation counts. */
function specPart(object: JsonObject): JsonObject {
  const part: JsonObject = {};
  for (const [key, value] of Object.entries(object)) if (key !== 'metadata' && key !== 'status' && key !== 'apiVersion' && key !== 'kind') part[key] = value;
  return part;
}

function finalizerProblems(metadata: JsonObject, oldMetadata: JsonObject): FieldError[] {
  if (oldMetadata['deletionTimestamp'] === undefined) return [];
  const old = new Set(asArray(oldMetadata['finalizers']).map(String));
  const added = asArray(metadata['finalizers']).map(String).filter((finalizer) => !old.has(finalizer));
  return added.length === 0 ? [] : [fieldError.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`)];
}

export function validate(definition: ResourceDefinition, object: JsonObject, old: JsonObject | null, extra: readonly FieldError[] = []): void {
  const metadata = isJsonObject(object['metadata']) ? object['metadata'] : {};
  const problems = [...validateObjectMeta(metadata, definition.nameRule, definition.namespaced), ...definition.validate(object, old), ...extra];
  if (problems.length > 0) throw errors.invalid(definition.kind, definition.group, asString(metadata['name']) ?? '', problems.map(toCause));
}
