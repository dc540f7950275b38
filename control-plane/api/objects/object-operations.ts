import { asObject, asString, ensureObject, jsonEqual, type JsonObject } from '../json.ts';
import type { StoredObject } from '../object-store.ts';
import { namespaceResource } from '../registry/kinds/namespace.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { errors } from '../status.ts';
import { writeContext, type ApiContext } from '../context.ts';
import { decodeStored, encodeObject } from './object-codec.ts';
import { writeWithAllocations } from '../allocation/allocate.ts';
import { mayBeRemoved } from './deletion-state.ts';
import { prepareCreate, prepareUpdate } from './prepare.ts';
import { objectKey } from './storage-keys.ts';

/** Read-modify-write on stored objects with Kubernetes' rules; every write is a compare-and-swap. */

export interface Located {
  readonly stored: StoredObject;
  readonly object: JsonObject;
}

export async function getObject(context: ApiContext, definition: ResourceDefinition, namespace: string | undefined, name: string): Promise<Located> {
  const stored = await context.store.get(objectKey(definition, namespace, name));
  if (stored === null) throw errors.notFound(definition, name);
  return { stored, object: decodeStored(stored) };
}

export async function createObject(context: ApiContext, definition: ResourceDefinition, namespace: string | undefined, body: JsonObject, dryRun: boolean): Promise<JsonObject> {
  const object = prepareCreate(definition, body, namespace, writeContext(context));
  const metadata = asObject(object['metadata']) ?? {};
  const name = asString(metadata['name']) ?? '';
  if (definition.namespaced) await requireNamespace(context, asString(metadata['namespace']) ?? '', `${definition.plural} "${name}"`);
  const key = objectKey(definition, asString(metadata['namespace']), name);
  const { object: written, result } = await writeWithAllocations(context, definition, object, null, async (candidate, reservations) => {
    // A dry run picks values (the answer shows them) but reserves nothing, as Kubernetes.
    if (dryRun) return { done: null };
    const created = await context.store.create(key, encodeObject(candidate), reservations);
    return !created.ok && created.reason === 'reserved' ? { reserved: created.held } : { done: created };
  });
  if (result === null) return written;
  if (!result.ok) throw errors.alreadyExists(definition, name);
  ensureObject(written, 'metadata')['resourceVersion'] = String(result.object.modRevision);
  return written;
}

/**
 * Kubernetes checks this from its namespace cache; a local read is the same (a namespace made a
 * moment ago through another replica may need a retry, exactly as there).
 */
async function requireNamespace(context: ApiContext, namespace: string, what: string): Promise<void> {
  const key = objectKey(namespaceResource, undefined, namespace);
  // A miss is confirmed linearizably: "namespace created, then object created" from one client must work on any replica.
  const stored = (await context.store.get(key, { consistency: 'local' })) ?? (await context.store.get(key));
  if (stored === null) throw errors.notFound(namespaceResource, namespace);
  if (asObject(decodeStored(stored)['status'])?.['phase'] === 'Terminating') {
    throw errors.forbidden(`${what} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

export interface UpdateOptions {
  readonly subresource?: 'status';
  readonly dryRun: boolean;
}

/**
 * Proposes `mutate(current)` as the new object. A resourceVersion in the proposal is a
 * precondition (409 when stale); without one a lost race is retried on the fresh object, which
 * is how Kubernetes applies patches. An update that changes nothing is not written.
 */
export async function updateObject(
  context: ApiContext,
  definition: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  mutate: (current: JsonObject) => JsonObject,
  options: UpdateOptions,
): Promise<JsonObject> {
  for (let attempt = 0; attempt < context.limits.updateRetriesMax; attempt++) {
    const { stored, object: current } = await getObject(context, definition, namespace, name);
    const proposed = mutate(current);
    const precondition = asString(asObject(proposed['metadata'])?.['resourceVersion']);
    const currentVersion = String(stored.modRevision);
    if (precondition !== undefined && precondition !== '' && precondition !== currentVersion) throw staleConflict(definition, name);
    const next = prepareUpdate(definition, proposed, current, options.subresource);
    ensureObject(next, 'metadata')['resourceVersion'] = currentVersion;
    if (jsonEqual(next, current) || options.dryRun) return next;
    const outcome = await writeOrFinalize(context, definition, stored, current, next);
    if (outcome !== null) return outcome;
    if (precondition !== undefined && precondition !== '') throw staleConflict(definition, name);
  }
  throw errors.conflict(definition, name, 'too many concurrent writers; retry');
}

/**
 * Writes `next`; an object being deleted that nothing keeps any more (its last finalizer gone, no
 * grace period pending) is deleted instead. Null: lost the race.
 */
async function writeOrFinalize(context: ApiContext, definition: ResourceDefinition, stored: StoredObject, current: JsonObject, next: JsonObject): Promise<JsonObject | null> {
  if (mayBeRemoved(definition, next)) {
    const deleted = await context.store.delete(stored.key, stored.modRevision, { release: definition.allocation?.held(current) ?? [] });
    if (!deleted.ok) return deleted.reason === 'notFound' ? next : null;
    ensureObject(next, 'metadata')['resourceVersion'] = String(deleted.object.modRevision);
    return next;
  }
  const { object: written, result } = await writeWithAllocations(context, definition, next, current, async (candidate, reservations) => {
    const updated = await context.store.update(stored.key, encodeObject(candidate), stored.modRevision, reservations);
    return !updated.ok && updated.reason === 'reserved' ? { reserved: updated.held } : { done: updated };
  });
  if (!result.ok) return null;
  ensureObject(written, 'metadata')['resourceVersion'] = String(result.object.modRevision);
  return written;
}

function staleConflict(definition: ResourceDefinition, name: string) {
  return errors.conflict(definition, name, 'the object has been modified; please apply your changes to the latest version and try again');
}
