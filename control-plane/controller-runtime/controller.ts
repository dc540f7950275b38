import type { Env, Logger } from '../../common/index.ts';
import type { ApiClient } from './api-client.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { InformerFactory } from './informer-factory.ts';
import { WorkQueue, type WorkQueueOptions } from './work-queue.ts';
import { sleep } from '../../common/index.ts';

/** What a reconcile may ask for: to be looked at again later (e.g. when minReadySeconds elapse). */
export type ReconcileResult = { readonly requeueAfterMs?: number } | undefined | void;

export interface Controller {
  readonly name: string;
  /** Runs until the signal aborts, after the shared informers have synced. */
  run(signal: AbortSignal): Promise<void>;
}

/** What every controller gets from its manager. */
export interface ControllerContext {
  readonly client: ApiClient;
  readonly informers: InformerFactory;
  readonly env: Env;
  readonly logger: Logger;
  readonly events: EventRecorder;
}

export type ControllerFactory = (context: ControllerContext) => Controller;

export interface ReconcileLoopOptions {
  readonly name: string;
  readonly workers: number;
  readonly queue: WorkQueue;
  readonly reconcile: (key: string) => Promise<ReconcileResult>;
  /** Every key the controller owns, re-added every resyncPeriodMs (a safety net for dropped keys). */
  readonly resyncKeys: () => readonly string[];
  readonly resyncPeriodMs: number;
  readonly env: Env;
  readonly logger: Logger;
}

export const defaultControllerWorkers = 4;
export const defaultResyncPeriodMs = 30_000;

export function newWorkQueue(env: Env, options?: WorkQueueOptions): WorkQueue {
  return new WorkQueue(env.timers, () => env.clock.nowMs(), options);
}

/**
 * The controller template's engine: `workers` loops take keys from the queue and reconcile them
 * (one worker per key at a time); a failure is retried with backoff, a success forgets the key's
 * failures. Returns when the signal aborts and every worker has finished its current key.
 */
export async function runReconcileLoop(options: ReconcileLoopOptions, signal: AbortSignal): Promise<void> {
  const { queue } = options;
  const onAbort = () => queue.shutdown();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) queue.shutdown();
  for (const key of options.resyncKeys()) queue.add(key);
  const resync = (async () => {
    while (await sleep(options.env.timers, options.resyncPeriodMs, signal)) for (const key of options.resyncKeys()) queue.add(key);
  })();
  const workers = Array.from({ length: options.workers }, () => work(options));
  await Promise.all([...workers, resync]);
  signal.removeEventListener('abort', onAbort);
}

async function work(options: ReconcileLoopOptions): Promise<void> {
  const { queue } = options;
  for (;;) {
    const key = await queue.next();
    if (key === null) return;
    try {
      const result = await options.reconcile(key);
      queue.forget(key);
      if (result !== undefined && result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
    } catch (error) {
      const retrying = queue.retry(key);
      options.logger.debug({ err: error, controller: options.name, key, retrying }, 'reconcile failed');
    } finally {
      queue.done(key);
    }
  }
}
