import { ErrorCode, FlotillaError } from '../../../common/index.ts';
import type { KeyValue, WatchResponse } from '../../../store/index.ts';
import type { ObjectWatchEvent } from '../object-store.ts';

const decoder = new TextDecoder();

/**
 * Turns a store watcher's responses into ObjectWatch events. A watcher canceled by the caller
 * ends the stream; compaction throws STORE_COMPACTED (410 Gone); any other cut-off (slow reader,
 * store closed by a snapshot install) throws STORE_WATCH_ENDED-like errors the client answers by
 * re-watching from its last resourceVersion.
 */
export async function* translateWatch(watcher: AsyncIterable<WatchResponse>, onEnd: () => void): AsyncGenerator<ObjectWatchEvent> {
  try {
    for await (const response of watcher) {
      if (response.kind === 'progress') {
        yield { type: 'progress', revision: response.revision };
      } else if (response.kind === 'events') {
        for (const event of response.events) {
          const translated = translateEvent(event);
          if (translated !== null) yield translated;
        }
      } else {
        if (response.reason === 'canceled') return;
        const code = response.reason === 'compacted' ? ErrorCode.storeCompacted : ErrorCode.invalidArgument;
        throw new FlotillaError(code, response.message, { details: { reason: response.reason, compactRevision: response.compactRevision } });
      }
    }
  } finally {
    onEnd();
  }
}

function translateEvent(event: { type: 'put' | 'delete'; kv: KeyValue; prevKv: KeyValue | null }): ObjectWatchEvent | null {
  const key = decoder.decode(event.kv.key);
  const prevValue = event.prevKv?.value ?? null;
  if (event.type === 'put') {
    const type = event.kv.version === 1 ? 'created' : 'updated';
    return { type, key, value: event.kv.value, prevValue: type === 'created' ? null : prevValue, revision: event.kv.modRevision };
  }
  // A delete without its previous value cannot be shown to a Kubernetes client (it expects the last state).
  if (prevValue === null) return null;
  return { type: 'deleted', key, value: prevValue, prevValue, revision: event.kv.modRevision };
}
