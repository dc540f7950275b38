import type { EventType } from '../controller-runtime/index.ts';
import type { CronSchedule, ScheduleParseResult } from './cron-job-schedule.ts';
import { mostRecentScheduleTime, nextScheduleDelayMs } from './cron-job-times.ts';

export type ConcurrencyPolicy = 'Allow' | 'Forbid' | 'Replace';

export interface ActiveJobReference {
  readonly name: string;
  readonly uid: string;
}

/** What the CronJob controller reads of a CronJob (the API's defaults already applied). */
export interface CronJobView {
  readonly name: string;
  readonly creationMs: number;
  readonly beingDeleted: boolean;
  readonly suspended: boolean;
  readonly concurrencyPolicy: ConcurrencyPolicy;
  readonly startingDeadlineSeconds: number | undefined;
  readonly successfulJobsHistoryLimit: number | undefined;
  readonly failedJobsHistoryLimit: number | undefined;
  readonly lastScheduleMs: number | undefined;
  readonly lastSuccessfulMs: number | undefined;
  readonly active: readonly ActiveJobReference[];
}

/** One of the CronJob's Jobs (controller reference to it). */
export interface ChildJobView {
  readonly name: string;
  readonly uid: string;
  readonly finished: 'Complete' | 'Failed' | undefined;
  readonly completionMs: number | undefined;
  readonly startMs: number | undefined;
}

export interface CronJobEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export interface CronJobPlan {
  /** The Job to create for this activation (the controller appends it to active once created). */
  readonly create: { readonly name: string; readonly scheduledMs: number } | undefined;
  /** Jobs to delete in the background: replaced by a new activation, or past a history limit. */
  readonly deleteJobs: readonly ActiveJobReference[];
  readonly active: readonly ActiveJobReference[];
  readonly lastScheduleMs: number | undefined;
  readonly lastSuccessfulMs: number | undefined;
  readonly events: readonly CronJobEvent[];
  readonly requeueAfterMs: number | undefined;
}

/** Kubernetes names a CronJob's Job after its scheduled time in minutes since the epoch (so one activation makes one Job). */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

/** RFC 1123 with a numeric zone, in UTC, as Kubernetes' MissSchedule event prints it. */
export function rfc1123Z(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

interface Bookkeeping {
  readonly active: ActiveJobReference[];
  readonly lastSuccessfulMs: number | undefined;
  readonly events: CronJobEvent[];
}

/** The first part of Kubernetes' syncCronJob: finished Jobs leave `active`, vanished ones too, lastSuccessfulTime follows. */
function bookkeeping(cronJob: CronJobView, children: readonly ChildJobView[], missingUids: ReadonlySet<string>): Bookkeeping {
  const events: CronJobEvent[] = [];
  const activeUids = new Set(cronJob.active.map((reference) => reference.uid));
  const finishedUids = new Set<string>();
  let lastSuccessfulMs = cronJob.lastSuccessfulMs;
  for (const child of children) {
    const listed = activeUids.has(child.uid);
    if (!listed && child.finished === undefined) {
      events.push({ type: 'Warning', reason: 'UnexpectedJob', message: `Saw a job that the controller did not create or forgot: ${child.name}` });
    } else if (listed && child.finished !== undefined) {
      finishedUids.add(child.uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${child.name}, condition: ${child.finished}` });
    }
    if (child.finished === 'Complete' && child.completionMs !== undefined) lastSuccessfulMs = Math.max(lastSuccessfulMs ?? -Infinity, child.completionMs);
  }
  const active = cronJob.active.filter((reference) => {
    if (finishedUids.has(reference.uid)) return false;
    if (!missingUids.has(reference.uid)) return true;
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${reference.name}` });
    return false;
  });
  return { active, lastSuccessfulMs, events };
}

/** Kubernetes' byJobStartTime: started before not started, then earlier first, then by name. */
function byStartTime(left: ChildJobView, right: ChildJobView): number {
  if (left.startMs === undefined || right.startMs === undefined) {
    if (left.startMs !== right.startMs) return left.startMs === undefined ? 1 : -1;
  } else if (left.startMs !== right.startMs) return left.startMs - right.startMs;
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}

/** Kubernetes' cleanupFinishedJobs: the oldest finished Jobs beyond each history limit. */
export function jobsPastHistoryLimits(cronJob: CronJobView, children: readonly ChildJobView[]): ChildJobView[] {
  const oldest = (finished: 'Complete' | 'Failed', limit: number | undefined) => {
    const jobs = children.filter((child) => child.finished === finished).sort(byStartTime);
    return limit === undefined ? [] : jobs.slice(0, Math.max(0, jobs.length - limit));
  };
  return [...oldest('Complete', cronJob.successfulJobsHistoryLimit), ...oldest('Failed', cronJob.failedJobsHistoryLimit)];
}

interface Activation {
  readonly create: CronJobPlan['create'];
  readonly replaced: readonly ActiveJobReference[];
  readonly lastScheduleMs: number | undefined;
  readonly events: readonly CronJobEvent[];
  readonly requeueAfterMs: number | undefined;
}

/** The second part of syncCronJob: is an activation due, may it start, and when to look again. */
function activation(cronJob: CronJobView, active: readonly ActiveJobReference[], schedule: CronSchedule, nowMs: number): Activation {
  const timing = { creationMs: cronJob.creationMs, lastScheduleMs: cronJob.lastScheduleMs, startingDeadlineSeconds: cronJob.startingDeadlineSeconds };
  const requeueAfterMs = nextScheduleDelayMs(timing, schedule, nowMs);
  const idle: Activation = { create: undefined, replaced: [], lastScheduleMs: cronJob.lastScheduleMs, events: [], requeueAfterMs };
  const times = mostRecentScheduleTime(timing, schedule, nowMs, true);
  if (times.invalid) {
    return { ...idle, requeueAfterMs: undefined, events: [{ type: 'Warning', reason: 'InvalidSchedule', message: 'invalid schedule: time difference between two schedules is less than 1 second' }] };
  }
  const scheduledMs = times.mostRecentMs;
  if (scheduledMs === undefined) return idle;
  const events: CronJobEvent[] = times.missed === 'many'
    ? [{ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' }]
    : [];
  if (cronJob.startingDeadlineSeconds !== undefined && scheduledMs + cronJob.startingDeadlineSeconds * 1000 < nowMs) {
    return { ...idle, events: [...events, { type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${rfc1123Z(scheduledMs)}` }] };
  }
  const name = jobNameFor(cronJob.name, scheduledMs);
  if (active.some((reference) => reference.name === name) || cronJob.lastScheduleMs === scheduledMs) return { ...idle, events };
  if (cronJob.concurrencyPolicy === 'Forbid' && active.length > 0) {
    return { ...idle, events: [...events, { type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' }] };
  }
  const replaced = cronJob.concurrencyPolicy === 'Replace' ? active : [];
  return { create: { name, scheduledMs }, replaced, lastScheduleMs: scheduledMs, events, requeueAfterMs };
}

/**
 * One reconcile of a CronJob, pure (Kubernetes' cronjob controller v2): bookkeeping of its Jobs,
 * then, unless it is suspended, being deleted or its schedule unusable, the Job of the latest due
 * activation (within startingDeadlineSeconds, per concurrencyPolicy), history cleanup, and the
 * delay until the next activation. `missingUids`: active Jobs confirmed gone by a live read.
 */
export function planCronJob(cronJob: CronJobView, children: readonly ChildJobView[], missingUids: ReadonlySet<string>, parsed: ScheduleParseResult, nowMs: number): CronJobPlan {
  const books = bookkeeping(cronJob, children, missingUids);
  const quiet: CronJobPlan = { create: undefined, deleteJobs: [], active: books.active, lastScheduleMs: cronJob.lastScheduleMs, lastSuccessfulMs: books.lastSuccessfulMs, events: books.events, requeueAfterMs: undefined };
  if (cronJob.beingDeleted) return quiet;
  const history = jobsPastHistoryLimits(cronJob, children).map((child) => ({ name: child.name, uid: child.uid }));
  if (!parsed.ok) return { ...quiet, deleteJobs: history, events: [...books.events, { type: 'Warning', reason: parsed.reason, message: parsed.message }] };
  if (cronJob.suspended) return { ...quiet, deleteJobs: history };
  const next = activation(cronJob, books.active, parsed.schedule, nowMs);
  const replacedUids = new Set(next.replaced.map((reference) => reference.uid));
  return {
    create: next.create,
    deleteJobs: [...next.replaced, ...history.filter((reference) => !replacedUids.has(reference.uid))],
    active: books.active.filter((reference) => !replacedUids.has(reference.uid)),
    lastScheduleMs: next.lastScheduleMs,
    lastSuccessfulMs: books.lastSuccessfulMs,
    events: [...books.events, ...next.events],
    requeueAfterMs: next.requeueAfterMs,
  };
}
