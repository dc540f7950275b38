import type { Logger } from '../../common/index.ts';
import { jsonEqual, type JsonObject } from '../api/json.ts';
import { jobResource } from '../api/registry/kinds/job.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import {
  defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, isBeingDeleted, keyOf, nameOf, namespaceOf, newWorkQueue,
  objectKeyFor, runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { podForJob } from './job-pod-template.ts';
import { jobPodView } from './job-pods.ts';
import { isJobFinished, kubernetesJobBackoff, planJob, type JobPlan, type JobPodFailureBackoff } from './job-plan.ts';
import { jobStatusAfter } from './job-status.ts';
import { jobSpecView, jobStatusView } from './job-views.ts';
import { observeDeletion } from './observe-deletion.ts';
import { controllerIndex, controllerUids, enqueueControllerOwner } from './owner-index.ts';

/** Pod creations or deletions per reconcile (Kubernetes' MaxPodCreateDeletePerSync is 500; a homelab needs less). */
export const jobActionsMax = 100;
export const jobComponent = 'job-controller';

export interface JobControllerOptions {
  /** Delay before recreating pods after failures (Kubernetes: 10 s doubling, at most 10 min). */
  readonly backoff: JobPodFailureBackoff;
}

export function jobControllerFactory(options: Partial<JobControllerOptions> = {}): ControllerFactory {
  return (context) => new JobController(context, { backoff: options.backoff ?? kubernetesJobBackoff });
}

/**
 * Runs each Job's pods to completion (Kubernetes' job controller): parallelism and completions,
 * Indexed completion, backoff limit, active deadline, suspend; status and conditions as 1.31+.
 */
export class JobController implements Controller {
  readonly name = 'job';
  private readonly queue: WorkQueue;
  private readonly jobs: Informer;
  private readonly pods: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext, private readonly options: JobControllerOptions) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.jobs = context.informers.informerFor(jobResource);
    this.pods = context.informers.informerFor(podResource);
    this.pods.addIndex(controllerIndex, controllerUids);
    this.jobs.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.pods.addHandler(enqueueControllerOwner(this.queue, 'Job'));
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.jobs.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const job = this.jobs.cache.get(key);
    if (job === undefined || isBeingDeleted(job)) return undefined;
    const status = jobStatusView(job);
    if (isJobFinished(status)) return undefined;
    const pods = this.pods.cache.byIndex(controllerIndex, uidOf(job));
    const nowMs = this.context.env.clock.nowMs();
    const plan = planJob(jobSpecView(job), status, pods.map(jobPodView), nowMs, { actionsMax: jobActionsMax, backoff: this.options.backoff });
    const outcomes = await Promise.allSettled([
      ...plan.create.map((index) => this.createPod(job, index)),
      ...plan.deleteNames.map((name) => this.deletePod(job, name)),
    ]);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    // A failed pod write leaves the status as it was; the retry plans again from the pods that exist.
    if (failed !== undefined) throw failed.reason;
    await this.writeStatus(key, plan, nowMs);
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs + 10 };
  }

  private async createPod(job: JsonObject, index: number | undefined): Promise<void> {
    try {
      const created = await this.context.client.create(podResource, podForJob(job, index));
      this.pods.observe(created);
      this.context.events.record(jobComponent, job, 'Normal', 'SuccessfulCreate', `Created pod: ${nameOf(created)}`);
    } catch (error) {
      this.context.events.record(jobComponent, job, 'Warning', 'FailedCreate', `Error creating: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  private async deletePod(job: JsonObject, name: string): Promise<void> {
    const pod = this.pods.cache.get(objectKeyFor(namespaceOf(job), name));
    if (pod === undefined) return;
    const result = await this.context.client.delete(podResource, namespaceOf(pod), name, { uid: uidOf(pod) });
    observeDeletion(this.pods, result);
    this.context.events.record(jobComponent, job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  }

  private async writeStatus(key: string, plan: JobPlan, nowMs: number): Promise<void> {
    const job = this.jobs.cache.get(key);
    if (job === undefined) return;
    const previous = (job['status'] ?? {}) as JsonObject;
    const status = jobStatusAfter(previous, plan, nowMs);
    if (jsonEqual(status, previous)) return;
    try {
      this.jobs.observe(await this.context.client.updateStatus(jobResource, { ...job, status }));
    } catch (error) {
      if (isApiStatus(error, 404)) return;
      throw error;
    }
    // Only after the write: a conflict retries the reconcile, which must not repeat the events.
    for (const event of plan.events) this.context.events.record(jobComponent, job, event.type, event.reason, event.message);
  }
}
