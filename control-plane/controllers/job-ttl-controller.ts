import type { Logger } from '../../common/index.ts';
import { jobResource } from '../api/registry/kinds/job.ts';
import {
  defaultControllerWorkers, defaultResyncPeriodMs, keyOf, metaString, newWorkQueue, runReconcileLoop, splitKey, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { jobExpiryMs } from './job-ttl-plan.ts';
import { observeDeletion } from './observe-deletion.ts';

export const jobTtlControllerFactory: ControllerFactory = (context) => new JobTtlController(context);

/**
 * Deletes finished Jobs once ttlSecondsAfterFinished has passed (Kubernetes' ttl-after-finished
 * controller), in the foreground: the garbage collector deletes their pods first. Before deleting it reads the Job
 * again, since its TTL may have been changed since the cache saw it.
 */
export class JobTtlController implements Controller {
  readonly name = 'ttl-after-finished';
  private readonly queue: WorkQueue;
  private readonly jobs: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.jobs = context.informers.informerFor(jobResource);
    this.jobs.addHandler((change) => {
      if (change.type !== 'deleted' && jobExpiryMs(change.object) !== undefined) this.queue.add(keyOf(change.object));
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.jobs.cache.list().filter((job) => jobExpiryMs(job) !== undefined).map(keyOf),
      resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.jobs.cache.get(key);
    if (cached === undefined || jobExpiryMs(cached) === undefined) return undefined;
    const { namespace, name } = splitKey(key);
    const fresh = await this.context.client.get(jobResource, namespace, name);
    const expiryMs = fresh === null ? undefined : jobExpiryMs(fresh);
    if (fresh === null || expiryMs === undefined) return undefined;
    const remainingMs = expiryMs - this.context.env.clock.nowMs();
    if (remainingMs > 0) return { requeueAfterMs: remainingMs + 10 };
    // Preconditions: exactly the Job that was judged expired (a 409 means it changed; the queue retries).
    // Foreground, as Kubernetes: the Job stays (Terminating) until the garbage collector has deleted its pods.
    const deleted = await this.context.client.delete(jobResource, namespace, name, { uid: uidOf(fresh), resourceVersion: metaString(fresh, 'resourceVersion'), propagationPolicy: 'Foreground' });
    observeDeletion(this.jobs, deleted);
    return undefined;
  }
}
