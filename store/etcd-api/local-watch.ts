import type { Logger } from '../../common/index.ts';
import type { MvccStore, Watcher } from '../index.ts';
import type { WatchListener, WatchRequest, WatchStart } from './backend.ts';

/**
 * Bridges one store Watcher (an async iterator of responses) to the API's push-style listener.
 * The store throws STORE_COMPACTED synchronously for a compacted start; the stream answers that
 * as etcd does (created, then canceled with compact_revision).
 */
export function watchStore(store: MvccStore, request: WatchRequest, listener: WatchListener, logger: Logger): WatchStart {
  const watcher = store.watch({
    key: request.key,
    rangeEnd: request.rangeEnd,
    startRevision: request.startRevision,
    prevKv: request.prevKv,
  });
  const header = { revision: store.revision };
  void pump(watcher, listener, logger);
  return {
    header,
    subscription: {
      // Caught up and nothing buffered: every event up to the store's revision has been handed on.
      syncedRevision: () => (watcher.synced && watcher.bufferedEvents === 0 && !watcher.closed ? store.revision : null),
      cancel: () => watcher.cancel(),
    },
  };
}

async function pump(watcher: Watcher, listener: WatchListener, logger: Logger): Promise<void> {
  try {
    for await (const response of watcher) {
      if (response.kind === 'events') listener.onEvents(response.events);
      else if (response.kind === 'canceled') return finish(response, listener);
      // 'progress' needs nothing: syncedRevision() already answers from the watcher's state.
    }
  } catch (error) {
    logger.error({ err: error }, 'store watcher failed');
    listener.onClosed('flotilla: watcher failed');
  }
}

function finish(
  response: { readonly reason: string; readonly message: string; readonly compactRevision: number },
  listener: WatchListener,
): void {
  switch (response.reason) {
    case 'canceled':
      return; // we asked for it: the API has already told the client
    case 'compacted':
      return listener.onCompacted(response.compactRevision);
    default:
      return listener.onClosed(`flotilla: watcher ${response.reason}: ${response.message}`);
  }
}
