import type { CronSchedule } from './cron-job-schedule.ts';

/** Kubernetes' threshold for "too many missed start times" (a warning; the latest one still runs). */
export const manySchedulesMissed = 100;
/** Activations walked to find the latest missed one, past the estimate (irregular schedules need a few). */
export const missedActivationsWalkedMax = 1_000;
/** Requeues land 100 ms after the activation, against clock skew between replicas (as Kubernetes). */
export const nextScheduleDeltaMs = 100;

export interface ScheduleTimes {
  /** Where the search started: the last schedule time, else the creation time (or the deadline window). */
  readonly earliestMs: number;
  /** The latest activation at or before now, if any. */
  readonly mostRecentMs: number | undefined;
  readonly missed: 'none' | 'few' | 'many';
  /** The schedule has no two distinct activations (e.g. "0 0 30 2 *"). */
  readonly invalid: boolean;
}

export interface CronJobTiming {
  readonly creationMs: number;
  readonly lastScheduleMs: number | undefined;
  readonly startingDeadlineSeconds: number | undefined;
}

/**
 * Kubernetes' mostRecentScheduleTime, pure: the latest activation since the last schedule (or
 * creation) up to now, found by estimating how many were missed from the first two activations
 * and walking only the last few, so decades of downtime cost nothing.
 */
export function mostRecentScheduleTime(timing: CronJobTiming, schedule: CronSchedule, nowMs: number, includeStartingDeadline: boolean): ScheduleTimes {
  let earliestMs = timing.lastScheduleMs ?? timing.creationMs;
  if (includeStartingDeadline && timing.startingDeadlineSeconds !== undefined) earliestMs = Math.max(earliestMs, nowMs - timing.startingDeadlineSeconds * 1000);
  const first = schedule.next(earliestMs);
  const second = first === undefined ? undefined : schedule.next(first);
  if (first === undefined || nowMs < first) return { earliestMs, mostRecentMs: undefined, missed: 'none', invalid: first === undefined };
  if (second === undefined) return { earliestMs, mostRecentMs: first, missed: 'none', invalid: false };
  if (nowMs < second) return { earliestMs, mostRecentMs: first, missed: 'none', invalid: false };
  const intervalSeconds = Math.round((second - first) / 1000);
  if (intervalSeconds < 1) return { earliestMs, mostRecentMs: undefined, missed: 'none', invalid: true };
  const missedCount = Math.trunc((nowMs - first) / 1000 / intervalSeconds) + 1;
  let mostRecentMs: number | undefined;
  let activation = schedule.next(first + (missedCount - 2) * intervalSeconds * 1000);
  for (let walked = 0; activation !== undefined && activation <= nowMs && walked < missedActivationsWalkedMax; walked++) {
    mostRecentMs = activation;
    activation = schedule.next(activation);
  }
  return { earliestMs, mostRecentMs, missed: missedCount > manySchedulesMissed ? 'many' : 'few', invalid: false };
}

/** Kubernetes' nextScheduleTimeDuration: how long until the activation after the latest one (plus the skew delta). */
export function nextScheduleDelayMs(timing: CronJobTiming, schedule: CronSchedule, nowMs: number): number | undefined {
  const times = mostRecentScheduleTime(timing, schedule, nowMs, false);
  const fromMs = times.invalid ? nowMs : times.mostRecentMs ?? (times.missed === 'none' ? times.earliestMs : nowMs);
  const nextMs = schedule.next(fromMs);
  return nextMs === undefined ? undefined : Math.max(0, nextMs + nextScheduleDeltaMs - nowMs);
}
