import { isFlotillaError, ErrorCode } from '../../../common/errors.ts';
import { isJsonObject, type JsonObject } from '../json.ts';
import { decodeStored } from '../objects/object-codec.ts';
import { listPrefix } from '../objects/storage-keys.ts';
import { apiVersionOf } from '../registry/resource.ts';
import { errors } from '../status.ts';
import type { ApiContext } from '../context.ts';
import { integerParameter, type HandlerResult, type ResourceRequest } from './request.ts';
import { parseSelection } from './selection.ts';

interface ContinueToken {
  readonly revision: number;
  /** The last key returned: the next page starts after it. */
  readonly after: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.revision, start: token.after })).toString('base64url');
}

function decodeContinue(text: string, prefix: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (isJsonObject(parsed) && typeof parsed['rv'] === 'number' && typeof parsed['start'] === 'string' && parsed['start'].startsWith(prefix)) {
      return { revision: parsed['rv'], after: parsed['start'] };
    }
  } catch {
    // Falls through to the error below.
  }
  throw errors.badRequest('the continue token is not valid: pass back the metadata.continue value of the previous list page unchanged, with the same selectors');
}

/** The revision a list reads at: the continue token's, an exact resourceVersion, or the latest. */
function readRevision(query: URLSearchParams, token: ContinueToken | undefined): number {
  if (token !== undefined) return token.revision;
  const version = query.get('resourceVersion') ?? '';
  const match = query.get('resourceVersionMatch') ?? '';
  if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') throw errors.badRequest(`resourceVersionMatch must be Exact or NotOlderThan, not "${match}"`);
  if (version !== '' && !/^\d+$/.test(version)) throw errors.badRequest(`resourceVersion must be a number given by the server, not "${version}"`);
  return match === 'Exact' ? Number(version) : 0;
}

export async function listObjects(context: ApiContext, request: ResourceRequest): Promise<{ items: JsonObject[]; metadata: JsonObject }> {
  const { definition, namespace } = request.target;
  const selection = parseSelection(definition, request.query);
  const limit = Math.min(integerParameter(request.query, 'limit') ?? 0, context.limits.listLimitMax);
  const prefix = listPrefix(definition, namespace);
  const continueText = request.query.get('continue') ?? '';
  const token = continueText === '' ? undefined : decodeContinue(continueText, prefix);
  let revision = readRevision(request.query, token);
  let after = token?.after;
  const items: JsonObject[] = [];
  let remaining = 0;
  let last: string | undefined;
  try {
    for (;;) {
      const page = await context.store.list(prefix, { limit: context.limits.listPageSize, revision, ...(after === undefined ? {} : { continueAfter: after }) });
      revision = page.revision;
      for (const [index, stored] of page.items.entries()) {
        const object = decodeStored(stored);
        if (selection.matches(object)) items.push(object);
        last = stored.key;
        if (limit > 0 && items.length === limit) {
          remaining = page.items.length - index - 1 + (page.more ? page.remaining : 0);
          return { items, metadata: listMetadata(revision, remaining > 0 ? { after: last, remaining, filtering: selection.filtering } : undefined) };
        }
      }
      if (!page.more || page.items.length === 0) break;
      after = last;
    }
  } catch (error) {
    if (isFlotillaError(error, ErrorCode.storeCompacted)) {
      throw errors.gone(token !== undefined
        ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
        : `The resourceVersion for the provided list is too old: ${error.message}`);
    }
    throw error;
  }
  return { items, metadata: listMetadata(revision, undefined) };
}

function listMetadata(revision: number, next: { after: string; remaining: number; filtering: boolean } | undefined): JsonObject {
  const metadata: JsonObject = { resourceVersion: String(revision) };
  if (next !== undefined) {
    metadata['continue'] = encodeContinue({ revision, after: next.after });
    // With selectors the count of what is left is unknown, as in Kubernetes.
    if (!next.filtering) metadata['remainingItemCount'] = next.remaining;
  }
  return metadata;
}

export async function handleList(context: ApiContext, request: ResourceRequest): Promise<HandlerResult> {
  const { definition } = request.target;
  const { items, metadata } = await listObjects(context, request);
  const list: JsonObject = { kind: `${definition.kind}List`, apiVersion: apiVersionOf(definition), metadata, items };
  return { kind: 'list', list, items };
}
