import type { Logger } from '../../common/index.ts';
import { asString, getPath, jsonEqual, objectsIn, type JsonObject } from '../api/json.ts';
import { cronJobResource } from '../api/registry/kinds/cron-job.ts';
import { jobResource } from '../api/registry/kinds/job.ts';
import {
  controllerOf, defaultControllerWorkers, defaultResyncPeriodMs, isApiStatus, isoSeconds, keyOf, metaString, namespaceOf, newWorkQueue,
  runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { planCronJob, type ActiveJobReference, type CronJobPlan } from './cron-job-plan.ts';
import { parseCronSchedule } from './cron-job-schedule.ts';
import { jobForCronJob } from './cron-job-template.ts';
import { childJobView, cronJobView } from './cron-job-views.ts';
import { observeDeletion } from './observe-deletion.ts';
import { controllerIndex, controllerUids, enqueueControllerOwner } from './owner-index.ts';

export const cronJobComponent = 'cronjob-controller';

export const cronJobControllerFactory: ControllerFactory = (context) => new CronJobController(context);

/** status.active's entry for a Job (Kubernetes' ObjectReference from reference.GetReference). */
function jobReference(job: JsonObject): JsonObject {
  return { apiVersion: 'batch/v1', kind: 'Job', namespace: namespaceOf(job), name: metaString(job, 'name'), uid: uidOf(job), resourceVersion: metaString(job, 'resourceVersion') };
}

/**
 * Creates a CronJob's Jobs on schedule (Kubernetes' cronjob controller v2): one Job per activation
 * named after its time, concurrencyPolicy, startingDeadlineSeconds, suspend, history limits, and a
 * requeue at the next activation. Time only from the Env clock.
 */
export class CronJobController implements Controller {
  readonly name = 'cronjob';
  private readonly queue: WorkQueue;
  private readonly cronJobs: Informer;
  private readonly jobs: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.cronJobs = context.informers.informerFor(cronJobResource);
    this.jobs = context.informers.informerFor(jobResource);
    this.jobs.addIndex(controllerIndex, controllerUids);
    this.cronJobs.addHandler((change) => this.queue.add(keyOf(change.object)));
    this.jobs.addHandler(enqueueControllerOwner(this.queue, 'CronJob'));
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.cronJobs.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  /** Active Jobs the cache does not hold, confirmed gone (or replaced by another uid) by a live read, as Kubernetes does. */
  private async missingActive(cronJob: JsonObject, childUids: ReadonlySet<string>): Promise<Set<string>> {
    const missing = new Set<string>();
    for (const reference of cronJobView(cronJob).active) {
      if (childUids.has(reference.uid)) continue;
      const live = await this.context.client.get(jobResource, namespaceOf(cronJob), reference.name);
      if (live === null || uidOf(live) !== reference.uid) missing.add(reference.uid);
    }
    return missing;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cronJob = this.cronJobs.cache.get(key);
    if (cronJob === undefined) return undefined;
    const children = this.jobs.cache.byIndex(controllerIndex, uidOf(cronJob));
    const missing = await this.missingActive(cronJob, new Set(children.map(uidOf)));
    const parsed = parseCronSchedule(asString(getPath(cronJob, ['spec', 'schedule'])) ?? '', asString(getPath(cronJob, ['spec', 'timeZone'])));
    const nowMs = this.context.env.clock.nowMs();
    const plan = planCronJob(cronJobView(cronJob), children.map(childJobView), missing, parsed, nowMs);
    for (const event of plan.events) this.context.events.record(cronJobComponent, cronJob, event.type, event.reason, event.message);
    for (const reference of plan.deleteJobs) await this.deleteJob(cronJob, reference);
    const created = plan.create === undefined || !parsed.ok ? undefined : await this.createJob(cronJob, plan.create.name, plan.create.scheduledMs, parsed.timeZone);
    await this.writeStatus(key, plan, created);
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  private async deleteJob(cronJob: JsonObject, reference: ActiveJobReference): Promise<void> {
    // Background, as Kubernetes: the garbage collector deletes the Job's pods afterwards.
    const deleted = await this.context.client.delete(jobResource, namespaceOf(cronJob), reference.name, { uid: reference.uid, propagationPolicy: 'Background' });
    observeDeletion(this.jobs, deleted);
    this.context.events.record(cronJobComponent, cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${reference.name}`);
  }

  /**
   * Creates the activation's Job. If it exists already (created before a crash or a lost status
   * write), it is ours when it names this CronJob as controller: then it joins `active` now.
   * Undefined: someone else's Job holds the name, so nothing is recorded.
   */
  private async createJob(cronJob: JsonObject, name: string, scheduledMs: number, timeZone: string): Promise<{ reference: JsonObject; scheduledMs: number } | undefined> {
    try {
      const created = await this.context.client.create(jobResource, jobForCronJob(cronJob, name, scheduledMs, timeZone));
      this.jobs.observe(created);
      this.context.events.record(cronJobComponent, cronJob, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      return { reference: jobReference(created), scheduledMs };
    } catch (error) {
      if (!isApiStatus(error, 409)) {
        this.context.events.record(cronJobComponent, cronJob, 'Warning', 'FailedCreate', `Error creating job: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
      const existing = await this.context.client.get(jobResource, namespaceOf(cronJob), name);
      if (existing === null || controllerOf(existing)?.uid !== uidOf(cronJob)) return undefined;
      return { reference: jobReference(existing), scheduledMs };
    }
  }

  private async writeStatus(key: string, plan: CronJobPlan, created: { reference: JsonObject; scheduledMs: number } | undefined): Promise<void> {
    const cronJob = this.cronJobs.cache.get(key);
    if (cronJob === undefined) return;
    const previous = (cronJob['status'] ?? {}) as JsonObject;
    const kept = new Set(plan.active.map((reference) => reference.uid));
    const active = objectsIn(previous['active']).filter((reference) => kept.has(asString(reference['uid']) ?? ''));
    if (created !== undefined && !active.some((reference) => reference['uid'] === created.reference['uid'])) active.push(created.reference);
    const status: JsonObject = { ...previous };
    if (active.length > 0) status['active'] = active;
    else delete status['active'];
    // A creation that did not become ours leaves lastScheduleTime as it was.
    const lastScheduleMs = created?.scheduledMs ?? (plan.create === undefined ? plan.lastScheduleMs : cronJobView(cronJob).lastScheduleMs);
    if (lastScheduleMs !== undefined) status['lastScheduleTime'] = isoSeconds(lastScheduleMs);
    if (plan.lastSuccessfulMs !== undefined) status['lastSuccessfulTime'] = isoSeconds(plan.lastSuccessfulMs);
    if (jsonEqual(status, previous)) return;
    try {
      this.cronJobs.observe(await this.context.client.updateStatus(cronJobResource, { ...cronJob, status }));
    } catch (error) {
      if (!isApiStatus(error, 404)) throw error;
    }
  }
}

