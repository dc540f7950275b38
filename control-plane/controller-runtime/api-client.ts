import type { Env, Logger } from '../../common/index.ts';
import { ApiLimits, type ApiContext } from '../api/context.ts';
import type { JsonObject } from '../api/json.ts';
import type { ObjectStore } from '../api/object-store.ts';
import { decodeStored, decodeValue } from '../api/objects/object-codec.ts';
import { createObject, updateObject } from '../api/objects/object-operations.ts';
import { deleteObject, type PropagationPolicy } from '../api/objects/delete-object.ts';
import { listPrefix, objectKey } from '../api/objects/storage-keys.ts';
import { builtinResources } from '../api/registry/kinds/index.ts';
import { ResourceRegistry } from '../api/registry/registry.ts';
import type { ResourceDefinition } from '../api/registry/resource.ts';
import { ApiError } from '../api/status.ts';
import { metaString } from './object-meta.ts';

/** A change seen by a watch: the object after it (for a delete: its last state, at the delete's revision). */
export type ObjectChange =
  | { readonly type: 'added' | 'updated' | 'deleted'; readonly object: JsonObject; readonly revision: number }
  | { readonly type: 'progress'; readonly revision: number };

export interface DeletePreconditions {
  readonly uid?: string;
  readonly resourceVersion?: string;
  /** 0 forces a pod out at once (an agent confirming its containers stopped); absent: the kind's. */
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: PropagationPolicy;
}

/** Objects read per page while listing (keeps one list from holding the store for long). */
export const listPageSize = 1000;

/** The API context the controllers use in process: the same object layer the REST server uses. */
export function createInProcessContext(options: { store: ObjectStore; env: Env; logger: Logger; registry?: ResourceRegistry }): ApiContext {
  return {
    store: options.store,
    registry: options.registry ?? new ResourceRegistry(builtinResources),
    env: options.env,
    logger: options.logger,
    limits: ApiLimits,
    bookmarkIntervalMs: 60_000,
    shutdown: new AbortController().signal,
    activeWatches: { count: 0 },
  };
}

/**
 * The controllers' client: Kubernetes' rules (validation, defaults, generation, finalizers) through
 * the API server's own object operations, without HTTP. Every update carries the resourceVersion the
 * caller read, so it is a compare-and-swap: a stale or deposed writer gets 409 instead of winning.
 */
export class ApiClient {
  constructor(readonly context: ApiContext) {}

  get registry(): ResourceRegistry {
    return this.context.registry;
  }

  /** Every object of a kind (in one namespace or all), read at one revision. */
  async list(definition: ResourceDefinition, namespace?: string): Promise<{ items: JsonObject[]; revision: number }> {
    const prefix = listPrefix(definition, namespace);
    const items: JsonObject[] = [];
    let revision = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.context.store.list(prefix, { limit: listPageSize, revision, ...(after === undefined ? {} : { continueAfter: after }) });
      revision = page.revision;
      for (const stored of page.items) items.push(decodeStored(stored));
      const last = page.items[page.items.length - 1];
      if (!page.more || last === undefined) return { items, revision };
      after = last.key;
    }
  }

  /** Changes after `afterRevision`; throws STORE_COMPACTED when that revision is gone (the caller re-lists). */
  async *watch(definition: ResourceDefinition, afterRevision: number, signal: AbortSignal, namespace?: string): AsyncGenerator<ObjectChange> {
    const stream = this.context.store.watch(listPrefix(definition, namespace), { fromRevision: afterRevision + 1, signal, progressIntervalMs: 0 });
    for await (const event of stream) {
      if (event.type === 'progress') {
        yield { type: 'progress', revision: event.revision };
        continue;
      }
      const type = event.type === 'created' ? 'added' : event.type === 'updated' ? 'updated' : 'deleted';
      yield { type, object: decodeValue(event.value, event.revision), revision: event.revision };
    }
  }

  async get(definition: ResourceDefinition, namespace: string | undefined, name: string): Promise<JsonObject | null> {
    const stored = await this.context.store.get(objectKey(definition, namespace, name));
    return stored === null ? null : decodeStored(stored);
  }

  create(definition: ResourceDefinition, object: JsonObject): Promise<JsonObject> {
    const namespace = definition.namespaced ? metaString(object, 'namespace') : undefined;
    return createObject(this.context, definition, namespace, object, false);
  }

  /** Replaces the object; its metadata.resourceVersion is the precondition (409 when stale). */
  update(definition: ResourceDefinition, object: JsonObject): Promise<JsonObject> {
    return this.write(definition, object, undefined);
  }

  /** Replaces the status only; metadata.resourceVersion is the precondition. */
  updateStatus(definition: ResourceDefinition, object: JsonObject): Promise<JsonObject> {
    return this.write(definition, object, 'status');
  }

  /** Deletes now, or marks for finalizers / a grace period (see delete-object.ts). Null when it was already gone. */
  async delete(definition: ResourceDefinition, namespace: string | undefined, name: string, preconditions: DeletePreconditions = {}): Promise<JsonObject | null> {
    try {
      const options = {
        dryRun: false,
        ...(preconditions.uid === undefined ? {} : { preconditionUid: preconditions.uid }),
        ...(preconditions.resourceVersion === undefined ? {} : { preconditionResourceVersion: preconditions.resourceVersion }),
        ...(preconditions.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: preconditions.gracePeriodSeconds }),
        ...(preconditions.propagationPolicy === undefined ? {} : { propagationPolicy: preconditions.propagationPolicy }),
      };
      return (await deleteObject(this.context, definition, namespace, name, options)).object;
    } catch (error) {
      if (isApiStatus(error, 404)) return null;
      throw error;
    }
  }

  private write(definition: ResourceDefinition, object: JsonObject, subresource: 'status' | undefined): Promise<JsonObject> {
    const version = metaString(object, 'resourceVersion');
    if (version === '') throw new ApiError(409, 'Conflict', 'a controller write needs the resourceVersion it read');
    const namespace = definition.namespaced ? metaString(object, 'namespace') : undefined;
    return updateObject(this.context, definition, namespace, metaString(object, 'name'), () => object, {
      dryRun: false,
      ...(subresource === undefined ? {} : { subresource }),
    });
  }
}

export function isApiStatus(error: unknown, code: number): boolean {
  return error instanceof ApiError && error.code === code;
}
