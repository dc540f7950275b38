import type { ConditionUpdate, EventType } from '../controller-runtime/index.ts';
import { parseIndexIntervals } from './job-indexes.ts';
import type { JobPodView } from './job-pods.ts';
import { compareForDeletion } from './replica-set-plan.ts';

/** What the Job controller reads of a Job's spec (defaults already applied by the API). */
export interface JobSpecView {
  /** Undefined: a work queue, done when any pod succeeds and the others have finished. */
  readonly completions: number | undefined;
  readonly parallelism: number;
  readonly backoffLimit: number;
  readonly activeDeadlineSeconds: number | undefined;
  readonly suspended: boolean;
  /** completionMode Indexed (with completions set): pod i runs completion index i. */
  readonly indexed: boolean;
  /** restartPolicy OnFailure: containers restart in place, so their restarts count toward backoffLimit. */
  readonly restartOnFailure: boolean;
  /** podReplacementPolicy Failed: a terminating pod still holds its slot until it is gone. */
  readonly replaceOnlyFailed: boolean;
}

export interface JobConditionView {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

export interface JobStatusView {
  readonly startTimeMs: number | undefined;
  readonly succeeded: number;
  readonly failed: number;
  readonly completedIndexes: string;
  readonly conditions: readonly JobConditionView[];
}

/** Kubernetes' delay before recreating pods after failures: 10 s doubling per failure, at most 10 min. */
export interface JobPodFailureBackoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const kubernetesJobBackoff: JobPodFailureBackoff = { baseMs: 10_000, maxMs: 600_000 };

export interface JobPlanOptions {
  /** Pod creations or deletions per reconcile. */
  readonly actionsMax: number;
  readonly backoff: JobPodFailureBackoff;
}

export interface JobEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export interface JobStatusCounts {
  readonly active: number;
  readonly ready: number;
  readonly terminating: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Indexed Jobs only. */
  readonly completedIndexes: readonly number[] | undefined;
  readonly startTimeMs: number | undefined;
  /** The Job reached Complete in this reconcile (completionTime is set now). */
  readonly completedNow: boolean;
}

export interface JobPlan {
  /** One entry per pod to create: its completion index for Indexed Jobs, else undefined. */
  readonly create: readonly (number | undefined)[];
  readonly deleteNames: readonly string[];
  readonly status: JobStatusCounts;
  /** Conditions to set, in order (lastTransitionTime moves only when a status changes). */
  readonly conditions: readonly ConditionUpdate[];
  readonly events: readonly JobEvent[];
  readonly requeueAfterMs: number | undefined;
}

interface FinishTarget {
  readonly success: boolean;
  readonly reason: string;
  readonly message: string;
}

const backoffLimitExceeded: FinishTarget = { success: false, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
const deadlineExceeded: FinishTarget = { success: false, reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
const completionsReached: FinishTarget = { success: true, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };

function conditionIsTrue(status: JobStatusView, type: string): JobConditionView | undefined {
  return status.conditions.find((condition) => condition.type === type && condition.status === 'True');
}

/** Complete or Failed: Kubernetes never touches a finished Job again (the TTL controller may delete it). */
export function isJobFinished(status: JobStatusView): boolean {
  return conditionIsTrue(status, 'Complete') !== undefined || conditionIsTrue(status, 'Failed') !== undefined;
}

function isTerminal(pod: JobPodView): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

function byDeletionPreference(pods: readonly JobPodView[]): JobPodView[] {
  return [...pods].sort(compareForDeletion);
}

/**
 * Kubernetes' pastBackoffLimitOnFailure: with restartPolicy OnFailure the pods do not fail, their
 * containers restart; the restarts of running and pending pods count toward the limit.
 */
export function pastBackoffLimitOnFailure(spec: JobSpecView, active: readonly JobPodView[]): boolean {
  if (!spec.restartOnFailure) return false;
  const restarts = active.filter((pod) => pod.phase === 'Running' || pod.phase === 'Pending').reduce((sum, pod) => sum + pod.restarts, 0);
  return spec.backoffLimit === 0 ? restarts > 0 : restarts >= spec.backoffLimit;
}

/**
 * How long to wait before creating pods again: failures since the last success double the delay
 * (Kubernetes' backoff record, here derived from the pods themselves so it survives restarts).
 */
export function backoffRemainingMs(pods: readonly JobPodView[], nowMs: number, backoff: JobPodFailureBackoff): number {
  const lastSuccessMs = Math.max(-Infinity, ...pods.filter((pod) => pod.phase === 'Succeeded').map((pod) => pod.finishedMs));
  const failures = pods.filter((pod) => pod.phase === 'Failed' && pod.finishedMs > lastSuccessMs);
  if (failures.length === 0) return 0;
  const delayMs = Math.min(backoff.baseMs * 2 ** Math.min(failures.length - 1, 30), backoff.maxMs);
  const lastFailureMs = Math.max(...failures.map((pod) => pod.finishedMs));
  return Math.max(0, lastFailureMs + delayMs - nowMs);
}

/** Pods wanted running now (Kubernetes' manageJob): never more than the completions still missing. */
export function wantedActive(spec: JobSpecView, succeeded: number, active: number): number {
  if (spec.completions === undefined) return succeeded > 0 ? active : spec.parallelism;
  return Math.max(0, Math.min(spec.completions - succeeded, spec.parallelism));
}

/**
 * Active pods of an Indexed Job that must go whatever the parallelism: no valid index, an index
 * already completed, or a second pod for one index (the most valuable one stays).
 */
export function indexedSurplus(active: readonly JobPodView[], completed: ReadonlySet<number>, completions: number): JobPodView[] {
  const surplus: JobPodView[] = [];
  const kept = new Set<number>();
  for (const pod of [...active].sort(compareForDeletion).reverse()) {
    const index = pod.index;
    if (index === undefined || index >= completions || completed.has(index) || kept.has(index)) surplus.push(pod);
    else kept.add(index);
  }
  return surplus;
}

/** The lowest indexes that are neither completed nor held by a pod. */
export function firstPendingIndexes(taken: ReadonlySet<number>, completions: number, count: number): number[] {
  const pending: number[] = [];
  for (let index = 0; index < completions && pending.length < count; index++) if (!taken.has(index)) pending.push(index);
  return pending;
}

interface ManageResult {
  readonly create: readonly (number | undefined)[];
  readonly deleted: readonly JobPodView[];
  readonly requeueAfterMs: number | undefined;
}

function podsToRemove(spec: JobSpecView, active: readonly JobPodView[], completed: ReadonlySet<number>, want: number): JobPodView[] {
  if (spec.suspended) return byDeletionPreference(active);
  const surplus = spec.indexed ? indexedSurplus(active, completed, spec.completions ?? 0) : [];
  const kept = active.filter((pod) => !surplus.includes(pod));
  return [...surplus, ...byDeletionPreference(kept).slice(0, Math.max(0, kept.length - want))];
}

/** Kubernetes' manageJob: delete what is too much (and return), else create what is missing unless backing off. */
function manage(spec: JobSpecView, pods: readonly JobPodView[], active: readonly JobPodView[], completed: ReadonlySet<number>, succeeded: number, nowMs: number, options: JobPlanOptions): ManageResult {
  const want = wantedActive(spec, succeeded, active.length);
  const deleted = podsToRemove(spec, active, completed, want).slice(0, options.actionsMax);
  if (deleted.length > 0 || spec.suspended || active.length >= want) return { create: [], deleted, requeueAfterMs: undefined };
  const waitMs = backoffRemainingMs(pods, nowMs, options.backoff);
  if (waitMs > 0) return { create: [], deleted: [], requeueAfterMs: waitMs };
  const terminating = pods.filter((pod) => pod.terminating && !isTerminal(pod));
  const missing = want - active.length - (spec.replaceOnlyFailed ? terminating.length : 0);
  const count = Math.max(0, Math.min(missing, options.actionsMax));
  if (!spec.indexed) return { create: Array.from({ length: count }, () => undefined), deleted: [], requeueAfterMs: undefined };
  const taken = new Set([...completed, ...active.flatMap((pod) => (pod.index === undefined ? [] : [pod.index]))]);
  if (spec.replaceOnlyFailed) for (const pod of terminating) if (pod.index !== undefined) taken.add(pod.index);
  return { create: firstPendingIndexes(taken, spec.completions ?? 0, count), deleted: [], requeueAfterMs: undefined };
}

function existingTarget(status: JobStatusView): FinishTarget | undefined {
  const failure = conditionIsTrue(status, 'FailureTarget');
  if (failure !== undefined) return { success: false, reason: failure.reason, message: failure.message };
  const success = conditionIsTrue(status, 'SuccessCriteriaMet');
  return success === undefined ? undefined : { success: true, reason: success.reason, message: success.message };
}

function failureTarget(spec: JobSpecView, active: readonly JobPodView[], failed: number, startTimeMs: number | undefined, nowMs: number): FinishTarget | undefined {
  if (failed > spec.backoffLimit || pastBackoffLimitOnFailure(spec, active)) return backoffLimitExceeded;
  if (spec.activeDeadlineSeconds === undefined || startTimeMs === undefined || spec.suspended) return undefined;
  return nowMs - startTimeMs >= spec.activeDeadlineSeconds * 1000 ? deadlineExceeded : undefined;
}

function deadlineRemainingMs(spec: JobSpecView, startTimeMs: number | undefined, nowMs: number): number | undefined {
  if (spec.activeDeadlineSeconds === undefined || startTimeMs === undefined || spec.suspended) return undefined;
  return Math.max(0, startTimeMs + spec.activeDeadlineSeconds * 1000 - nowMs);
}

/** Suspended=True when suspending; Suspended=False (and a fresh startTime) when resuming. */
function suspensionChange(spec: JobSpecView, status: JobStatusView): { condition: ConditionUpdate; event: JobEvent } | undefined {
  const suspendedNow = conditionIsTrue(status, 'Suspended') !== undefined;
  if (spec.suspended && !suspendedNow) {
    return { condition: { type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }, event: { type: 'Normal', reason: 'Suspended', message: 'Job suspended' } };
  }
  if (!spec.suspended && suspendedNow) {
    return { condition: { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }, event: { type: 'Normal', reason: 'Resumed', message: 'Job resumed' } };
  }
  return undefined;
}

function completedIndexesOf(spec: JobSpecView, status: JobStatusView, succeededPods: readonly JobPodView[]): number[] | undefined {
  if (!spec.indexed || spec.completions === undefined) return undefined;
  const completions = spec.completions;
  const fromPods = succeededPods.flatMap((pod) => (pod.index !== undefined && pod.index < completions ? [pod.index] : []));
  return [...new Set([...parseIndexIntervals(status.completedIndexes, completions), ...fromPods])].sort((left, right) => left - right);
}

function finishConditions(target: FinishTarget, allTerminated: boolean): { conditions: ConditionUpdate[]; events: JobEvent[]; completedNow: boolean } {
  const interim: ConditionUpdate = { type: target.success ? 'SuccessCriteriaMet' : 'FailureTarget', status: 'True', reason: target.reason, message: target.message };
  if (!allTerminated) return { conditions: [interim], events: [], completedNow: false };
  const final: ConditionUpdate = { ...interim, type: target.success ? 'Complete' : 'Failed' };
  const event: JobEvent = target.success ? { type: 'Normal', reason: 'Completed', message: 'Job completed' } : { type: 'Warning', reason: target.reason, message: target.message };
  return { conditions: [interim, final], events: [event], completedNow: target.success };
}

/**
 * One reconcile of an unfinished Job, pure (Kubernetes' syncJob with JobPodReplacementPolicy and
 * JobSuccessPolicy on, as in 1.31+): decide failure (backoff limit, deadline) or success, delete
 * active pods of a finishing Job, else create or delete pods toward the wanted parallelism; set
 * FailureTarget / SuccessCriteriaMet at once and Failed / Complete when no pod is left running or
 * terminating. Counts are legacy-style (from the pods present, never decreasing), see README.
 */
export function planJob(spec: JobSpecView, status: JobStatusView, pods: readonly JobPodView[], nowMs: number, options: JobPlanOptions): JobPlan {
  const active = pods.filter((pod) => !isTerminal(pod) && !pod.terminating);
  const succeededPods = pods.filter((pod) => pod.phase === 'Succeeded');
  const completed = completedIndexesOf(spec, status, succeededPods);
  const succeeded = completed?.length ?? Math.max(status.succeeded, succeededPods.length);
  let failed = Math.max(status.failed, pods.filter((pod) => pod.phase === 'Failed').length);
  const suspension = suspensionChange(spec, status);
  const resuming = suspension !== undefined && !spec.suspended;
  const startTimeMs = resuming || (status.startTimeMs === undefined && !spec.suspended) ? nowMs : status.startTimeMs;
  let target = existingTarget(status) ?? failureTarget(spec, active, failed, startTimeMs, nowMs);
  let result: ManageResult;
  const conditions: ConditionUpdate[] = [];
  const events: JobEvent[] = [];
  if (target !== undefined) {
    // A finishing Job's running pods are deleted; as in Kubernetes, they count as failed.
    result = { create: [], deleted: byDeletionPreference(active).slice(0, options.actionsMax), requeueAfterMs: undefined };
    if (!target.success) failed += result.deleted.length;
  } else {
    result = manage(spec, pods, active, new Set(completed), succeeded, nowMs, options);
    const activeAfter = active.length - result.deleted.length + result.create.length;
    const done = spec.completions === undefined ? succeeded > 0 && activeAfter === 0 : succeeded >= spec.completions && activeAfter === 0;
    if (done) target = completionsReached;
    else if (suspension !== undefined) {
      conditions.push(suspension.condition);
      events.push(suspension.event);
    }
  }
  const activeAfter = active.length - result.deleted.length + result.create.length;
  const terminating = pods.filter((pod) => pod.terminating && !isTerminal(pod)).length + result.deleted.length;
  let completedNow = false;
  if (target !== undefined) {
    const finish = finishConditions(target, activeAfter === 0 && terminating === 0);
    conditions.push(...finish.conditions);
    events.push(...finish.events);
    completedNow = finish.completedNow;
  }
  const deletedNames = new Set(result.deleted.map((pod) => pod.name));
  const ready = active.filter((pod) => pod.ready && !deletedNames.has(pod.name)).length;
  const requeueAfterMs = target === undefined ? minDefined(result.requeueAfterMs, deadlineRemainingMs(spec, startTimeMs, nowMs)) : undefined;
  return {
    create: result.create,
    deleteNames: [...deletedNames],
    status: { active: activeAfter, ready, terminating, succeeded, failed, completedIndexes: completed, startTimeMs, completedNow },
    conditions, events, requeueAfterMs,
  };
}

function minDefined(left: number | undefined, right: number | undefined): number | undefined {
  if (left === undefined) return right;
  if (right === undefined) return left;
  return Math.min(left, right);
}
