import { ErrorCode, isFlotillaError } from '../../../common/errors.ts';
import type { ApiContext } from '../context.ts';
import type { JsonObject, JsonValue } from '../json.ts';
import { decodeStored } from '../objects/object-codec.ts';
import { listPrefix } from '../objects/storage-keys.ts';
import { apiVersionOf } from '../registry/resource.ts';
import { errors, toApiError } from '../status.ts';
import { integerParameter, type HandlerResult, type ResourceRequest } from './request.ts';
import { parseSelection, type Selection } from './selection.ts';
import { toKubeEvent } from './watch-events.ts';

/** How a watch event's object is shown (plain, or as a one-row Table for `kubectl get -w`). */
export type EventEncoder = (object: JsonObject, first: boolean) => JsonValue;

interface WatchPlan {
  readonly selection: Selection;
  readonly bookmarks: boolean;
  readonly sendInitialEvents: boolean;
  /** null: start from the current state (synthetic ADDED events); else deliver changes after this revision. */
  readonly afterRevision: number | null;
  readonly timeoutMs: number;
}

function planWatch(context: ApiContext, request: ResourceRequest): WatchPlan {
  const query = request.query;
  const version = query.get('resourceVersion') ?? '';
  if (version !== '' && !/^\d+$/.test(version)) throw errors.badRequest(`resourceVersion must be a number given by the server, not "${version}"`);
  const sendInitialEvents = query.get('sendInitialEvents') === 'true';
  const timeoutSeconds = Math.min(integerParameter(query, 'timeoutSeconds') ?? context.limits.watchTimeoutSecondsMax, context.limits.watchTimeoutSecondsMax);
  return {
    selection: parseSelection(request.target.definition, query),
    bookmarks: query.get('allowWatchBookmarks') === 'true',
    sendInitialEvents,
    afterRevision: version === '' || version === '0' || sendInitialEvents ? null : Number(version),
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** The current objects under the prefix, and the revision they were read at. */
async function readState(context: ApiContext, prefix: string): Promise<{ objects: JsonObject[]; revision: number }> {
  const objects: JsonObject[] = [];
  let revision = 0;
  let after: string | undefined;
  for (;;) {
    const page = await context.store.list(prefix, { limit: context.limits.listPageSize, revision, ...(after === undefined ? {} : { continueAfter: after }) });
    revision = page.revision;
    for (const stored of page.items) objects.push(decodeStored(stored));
    const last = page.items[page.items.length - 1];
    if (!page.more || last === undefined) return { objects, revision };
    after = last.key;
  }
}

/**
 * A Kubernetes watch: newline-delimited JSON events on a chunked 200 response. A compacted
 * resourceVersion is an ERROR event carrying a 410 Status (clients then re-list), as Kubernetes does.
 */
export async function handleWatch(context: ApiContext, request: ResourceRequest, encode: EventEncoder): Promise<HandlerResult> {
  const plan = planWatch(context, request);
  if (context.activeWatches.count >= context.limits.watchersMax) throw errors.tooManyRequests(`too many watches (${context.limits.watchersMax}); retry later`);
  const stop = new AbortController();
  const timer = context.env.timers.setTimeout(() => stop.abort(), plan.timeoutMs);
  const onAbort = () => stop.abort();
  request.signal.addEventListener('abort', onAbort);
  context.shutdown.addEventListener('abort', onAbort);
  context.activeWatches.count++;
  try {
    await streamWatch(context, request, plan, encode, stop);
  } finally {
    context.activeWatches.count--;
    timer.cancel();
    request.signal.removeEventListener('abort', onAbort);
    context.shutdown.removeEventListener('abort', onAbort);
    if (!request.response.writableEnded) request.response.end();
  }
  return { kind: 'streamed' };
}

async function streamWatch(context: ApiContext, request: ResourceRequest, plan: WatchPlan, encode: EventEncoder, stop: AbortController): Promise<void> {
  const { definition, namespace } = request.target;
  const prefix = listPrefix(definition, namespace);
  const response = request.response;
  const initial = plan.afterRevision === null ? await readState(context, prefix) : { objects: [], revision: plan.afterRevision };
  let first = true;
  const write = (type: string, object: JsonValue): boolean => {
    if (!response.headersSent) response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    response.write(`${JSON.stringify({ type, object })}\n`);
    // A reader that does not keep up is cut off (it re-watches from its last resourceVersion).
    return response.writableLength <= context.limits.watchBufferedBytesMax;
  };
  const emit = (type: string, object: JsonObject): boolean => {
    const encoded = encode(object, first);
    first = false;
    return write(type, encoded);
  };
  const bookmark = (revision: number, annotations?: JsonObject): boolean =>
    write('BOOKMARK', { kind: definition.kind, apiVersion: apiVersionOf(definition), metadata: { resourceVersion: String(revision), ...(annotations === undefined ? {} : { annotations }) } });
  try {
    const watch = context.store.watch(prefix, { fromRevision: initial.revision + 1, signal: stop.signal, progressIntervalMs: plan.bookmarks ? context.bookmarkIntervalMs : 0 });
    for (const object of initial.objects) if (plan.selection.matches(object)) emit('ADDED', object);
    if (plan.sendInitialEvents && plan.bookmarks) bookmark(initial.revision, { 'k8s.io/initial-events-end': 'true' });
    if (!response.headersSent) response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    response.flushHeaders();
    for await (const event of watch) {
      if (event.type === 'progress') {
        if (plan.bookmarks && !bookmark(event.revision)) return;
        continue;
      }
      const converted = toKubeEvent(event, plan.selection);
      if (converted !== null && !emit(converted.type, converted.object)) return;
    }
  } catch (error) {
    if (stop.signal.aborted && !isFlotillaError(error, ErrorCode.storeCompacted)) return;
    const apiError = toApiError(error);
    if (!isFlotillaError(error, ErrorCode.storeCompacted)) context.logger.warn({ err: error }, 'watch ended by an error');
    write('ERROR', apiError.toStatus());
  }
}
