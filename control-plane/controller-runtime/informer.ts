import type { Env, Logger } from '../../common/index.ts';
import type { JsonObject } from '../api/json.ts';
import type { ResourceDefinition } from '../api/registry/resource.ts';
import { sleep } from '../../common/index.ts';
import type { ApiClient } from './api-client.ts';
import { ObjectCache, type CacheChange, type IndexFunction } from './object-cache.ts';
import { resourceVersionOf } from './object-meta.ts';

export type ChangeHandler = (change: CacheChange) => void;

/** Delay before re-listing after a watch ended in error; doubles up to the maximum. */
export const InformerLimits = {
  relistDelayMinMs: 100,
  relistDelayMaxMs: 5_000,
  handlersMax: 64,
} as const;

/**
 * List + watch of one kind into an indexed cache, with handlers told of every change. A watch
 * that ends (compacted revision = 410 Gone, a watcher cut off for falling behind, a store error)
 * is followed by a fresh list, whose differences reach the handlers as ordinary changes: the
 * caches converge on the store's state whatever was missed.
 */
export class Informer {
  readonly cache = new ObjectCache();
  private readonly handlers: ChangeHandler[] = [];
  private synced = false;
  private readonly syncWaiters: Array<() => void> = [];
  relists = 0;

  constructor(
    private readonly client: ApiClient,
    readonly definition: ResourceDefinition,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {}

  addIndex(name: string, indexFunction: IndexFunction): void {
    this.cache.addIndex(name, indexFunction);
  }

  addHandler(handler: ChangeHandler): void {
    if (this.handlers.length >= InformerLimits.handlersMax) throw new Error(`informer ${this.definition.plural}: too many handlers`);
    this.handlers.push(handler);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves after the first list was applied (or when the signal aborts). */
  waitForSync(signal: AbortSignal): Promise<void> {
    if (this.synced || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.syncWaiters.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  /** A controller's own successful write, applied now (the watch event that follows is then a no-op). */
  observe(object: JsonObject): void {
    this.dispatch(this.cache.upsert(object));
  }

  observeDeleted(object: JsonObject): void {
    this.dispatch(this.cache.remove(object, resourceVersionOf(object)));
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let delayMs: number = InformerLimits.relistDelayMinMs;
    while (!signal.aborted) {
      try {
        const { items, revision } = await this.client.list(this.definition);
        for (const change of this.cache.replace(items, revision)) this.dispatch(change);
        this.markSynced();
        delayMs = InformerLimits.relistDelayMinMs;
        await this.follow(revision, signal);
      } catch (error) {
        if (signal.aborted) return;
        this.logger.warn({ err: error, kind: this.definition.plural }, 'informer watch ended; re-listing');
      }
      this.relists++;
      await sleep(this.env.timers, delayMs, signal);
      delayMs = Math.min(delayMs * 2, InformerLimits.relistDelayMaxMs);
    }
  }

  private async follow(revision: number, signal: AbortSignal): Promise<void> {
    for await (const change of this.client.watch(this.definition, revision, signal)) {
      if (change.type === 'progress') continue;
      this.dispatch(change.type === 'deleted' ? this.cache.remove(change.object, change.revision) : this.cache.upsert(change.object));
    }
  }

  private dispatch(change: CacheChange | null): void {
    if (change === null) return;
    for (const handler of this.handlers) {
      try {
        handler(change);
      } catch (error) {
        this.logger.error({ err: error, kind: this.definition.plural }, 'informer handler threw');
      }
    }
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const waiter of this.syncWaiters.splice(0)) waiter();
  }
}
