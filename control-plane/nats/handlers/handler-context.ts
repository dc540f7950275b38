import type { Env, Logger } from '../../../common/index.ts';
import type { ApiContext } from '../../api/context.ts';
import { cloneJson, ensureObject, type JsonObject } from '../../api/json.ts';
import type { ApiClient } from '../../controller-runtime/index.ts';

/** What every operation handler works with: the API object layer (in process) and the environment. */
export interface HandlerContext {
  readonly api: ApiContext;
  readonly client: ApiClient;
  readonly env: Env;
  readonly logger: Logger;
}

/** Decodes a request, does it, and returns the result's fields (the request server encodes the reply). */
export type OperationHandler = (request: Uint8Array, context: HandlerContext) => Promise<object>;

/**
 * A copy of `current` without its resourceVersion, for `updateObject`'s read-modify-write: a
 * proposal without one is retried on the fresh object when it loses a race (bounded by the API's
 * updateRetriesMax), which is what a merge of the agent's fields wants.
 */
export function withoutResourceVersion(current: JsonObject): JsonObject {
  const copy = cloneJson(current);
  delete ensureObject(copy, 'metadata')['resourceVersion'];
  return copy;
}
