import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { jobNameFor, jobsPastHistoryLimits, planCronJob, rfc1123Z, type ChildJobView, type CronJobView } from '../../control-plane/controllers/cron-job-plan.ts';
import { parseCronSchedule, parseGoDurationMs, type CronSchedule } from '../../control-plane/controllers/cron-job-schedule.ts';
import { jobForCronJob, rfc3339InZone } from '../../control-plane/controllers/cron-job-template.ts';
import { mostRecentScheduleTime, nextScheduleDelayMs } from '../../control-plane/controllers/cron-job-times.ts';

const at = (text: string) => Date.parse(text);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function schedule(text: string, timeZone?: string): CronSchedule {
  const parsed = parseCronSchedule(text, timeZone);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.schedule;
}

function activations(text: string, fromIso: string, count: number, timeZone?: string): string[] {
  const parsed = schedule(text, timeZone);
  const found: string[] = [];
  let cursor = at(fromIso);
  for (let index = 0; index < count; index++) {
    const next = parsed.next(cursor);
    if (next === undefined) break;
    found.push(new Date(next).toISOString());
    cursor = next;
  }
  return found;
}

describe('CronJob schedules (robfig/cron standard grammar)', () => {
  it('five fields, strictly after the given time', () => {
    expect(activations('*/15 * * * *', '2025-01-01T00:00:00Z', 3)).toEqual(['2025-01-01T00:15:00.000Z', '2025-01-01T00:30:00.000Z', '2025-01-01T00:45:00.000Z']);
    expect(activations('0 9 * * MON-FRI', '2025-01-03T10:00:00Z', 2)).toEqual(['2025-01-06T09:00:00.000Z', '2025-01-07T09:00:00.000Z']);
    expect(activations('30 4 1,15 jan *', '2025-01-01T05:00:00Z', 2)).toEqual(['2025-01-15T04:30:00.000Z', '2026-01-01T04:30:00.000Z']);
  });

  it('descriptors as robfig defines them', () => {
    expect(activations('@hourly', '2025-01-01T00:30:00Z', 1)).toEqual(['2025-01-01T01:00:00.000Z']);
    expect(activations('@daily', '2025-01-01T00:30:00Z', 1)).toEqual(['2025-01-02T00:00:00.000Z']);
    expect(activations('@midnight', '2025-01-01T00:30:00Z', 1)).toEqual(['2025-01-02T00:00:00.000Z']);
    expect(activations('@weekly', '2025-01-01T00:30:00Z', 1)).toEqual(['2025-01-05T00:00:00.000Z']);
    expect(activations('@monthly', '2025-01-01T00:30:00Z', 1)).toEqual(['2025-02-01T00:00:00.000Z']);
    expect(activations('@yearly', '2025-01-01T00:30:00Z', 1)).toEqual(['2026-01-01T00:00:00.000Z']);
    expect(activations('@annually', '2025-01-01T00:30:00Z', 1)).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('@every: constant delay on the second', () => {
    expect(parseGoDurationMs('1h30m')).toBe(5_400_000);
    expect(parseGoDurationMs('1.5s')).toBe(1_500);
    expect(parseGoDurationMs('5 minutes')).toBeUndefined();
    expect(activations('@every 90s', '2025-01-01T00:00:00.400Z', 2)).toEqual(['2025-01-01T00:01:30.000Z', '2025-01-01T00:03:00.000Z']);
    expect(activations('@every 10ms', '2025-01-01T00:00:00Z', 1)).toEqual(['2025-01-01T00:00:01.000Z']);
  });

  it("day of month and day of week: either matches, unless one starts with '*' (robfig's rule)", () => {
    // 2025-01-01 is a Wednesday: the 1st of the month or any Monday.
    expect(activations('0 0 1 * 1', '2024-12-31T12:00:00Z', 3)).toEqual(['2025-01-01T00:00:00.000Z', '2025-01-06T00:00:00.000Z', '2025-01-13T00:00:00.000Z']);
    // Odd days that are Mondays only.
    expect(activations('0 0 */2 * 1', '2025-01-01T12:00:00Z', 2)).toEqual(['2025-01-13T00:00:00.000Z', '2025-01-27T00:00:00.000Z']);
    expect(activations('0 0 ? * 1', '2025-01-01T12:00:00Z', 1)).toEqual(['2025-01-06T00:00:00.000Z']);
  });

  it('in a time zone (a TZ= prefix wins over spec.timeZone), daylight saving included', () => {
    expect(activations('0 9 * * *', '2025-03-29T12:00:00Z', 2, 'Europe/Paris')).toEqual(['2025-03-30T07:00:00.000Z', '2025-03-31T07:00:00.000Z']);
    expect(activations('TZ=America/New_York 0 9 * * *', '2025-01-01T00:00:00Z', 1, 'Europe/Paris')).toEqual(['2025-01-01T14:00:00.000Z']);
  });

  it('rejects what Kubernetes rejects', () => {
    const reason = (text: string, zone?: string) => {
      const parsed = parseCronSchedule(text, zone);
      return parsed.ok ? 'ok' : parsed.reason;
    };
    expect(reason('* * * *')).toBe('UnparseableSchedule');
    expect(reason('0 * * * * *')).toBe('UnparseableSchedule');
    expect(reason('61 * * * *')).toBe('UnparseableSchedule');
    expect(reason('0 0 L * *')).toBe('UnparseableSchedule');
    expect(reason('@reboot')).toBe('UnparseableSchedule');
    expect(reason('@every soon')).toBe('UnparseableSchedule');
    expect(reason('0 0 * * *', 'Mars/Olympus')).toBe('UnknownTimeZone');
    expect(reason('0 0 * * *', 'Asia/Tokyo')).toBe('ok');
  });

  it('every activation matches the expression and none is skipped (property, against a minute-by-minute scan)', () => {
    const field = (max: number) => fc.oneof(fc.constant('*'), fc.integer({ min: 0, max }).map(String), fc.integer({ min: 1, max: 5 }).map((step) => `*/${step}`));
    fc.assert(fc.property(field(59), field(23), fc.integer({ min: 0, max: 3 * 24 * 60 }), (minute, hour, offsetMinutes) => {
      const text = `${minute} ${hour} * * *`;
      const start = at('2025-06-01T00:00:00Z') + offsetMinutes * 60_000;
      const next = schedule(text).next(start);
      const matches = (ms: number) => {
        const date = new Date(ms);
        const ok = (spec: string, value: number) => spec === '*' || (spec.startsWith('*/') ? value % Number(spec.slice(2)) === 0 : Number(spec) === value);
        return ok(minute, date.getUTCMinutes()) && ok(hour, date.getUTCHours());
      };
      let scan = start + 60_000 - (start % 60_000);
      while (!matches(scan)) scan += 60_000;
      expect(next).toBe(scan);
    }), { numRuns: 200 });
  });
});

describe('CronJob activation times (Kubernetes mostRecentScheduleTime)', () => {
  const everyMinute = schedule('* * * * *');
  const created = at('2025-01-01T00:00:30Z');

  it('nothing due before the first activation; then the latest due one', () => {
    expect(mostRecentScheduleTime({ creationMs: created, lastScheduleMs: undefined, startingDeadlineSeconds: undefined }, everyMinute, at('2025-01-01T00:00:59Z'), true).mostRecentMs).toBeUndefined();
    const due = mostRecentScheduleTime({ creationMs: created, lastScheduleMs: undefined, startingDeadlineSeconds: undefined }, everyMinute, at('2025-01-01T00:05:10Z'), true);
    expect(iso(due.mostRecentMs)).toBe('2025-01-01T00:05:00.000Z');
    expect(due.missed).toBe('few');
  });

  it('more than 100 missed: "many", and still only the latest one; the deadline window narrows the search', () => {
    const timing = { creationMs: created, lastScheduleMs: undefined, startingDeadlineSeconds: undefined };
    const later = at('2025-03-01T10:30:20Z');
    const times = mostRecentScheduleTime(timing, everyMinute, later, true);
    expect(times.missed).toBe('many');
    expect(iso(times.mostRecentMs)).toBe('2025-03-01T10:30:00.000Z');
    expect(mostRecentScheduleTime({ ...timing, startingDeadlineSeconds: 200 }, everyMinute, later, true).missed).toBe('few');
    const hourly = schedule('0 * * * *');
    expect(iso(mostRecentScheduleTime(timing, hourly, later, true).mostRecentMs)).toBe('2025-03-01T10:00:00.000Z');
  });

  it('requeues 100 ms after the next activation', () => {
    const timing = { creationMs: created, lastScheduleMs: at('2025-01-01T00:05:00Z'), startingDeadlineSeconds: undefined };
    expect(nextScheduleDelayMs(timing, everyMinute, at('2025-01-01T00:05:20Z'))).toBe(40_100);
  });
});

const cronJob = (extra: Partial<CronJobView> = {}): CronJobView => ({
  name: 'report', creationMs: at('2025-01-01T00:00:00Z'), beingDeleted: false, suspended: false, concurrencyPolicy: 'Allow',
  startingDeadlineSeconds: undefined, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, lastScheduleMs: undefined, lastSuccessfulMs: undefined, active: [], ...extra,
});
const child = (name: string, extra: Partial<ChildJobView> = {}): ChildJobView => ({ name, uid: `uid-${name}`, finished: undefined, completionMs: undefined, startMs: undefined, ...extra });
const parsed = parseCronSchedule('*/5 * * * *', undefined);
const now = at('2025-01-01T00:10:30Z');

describe('CronJob plan (Kubernetes syncCronJob)', () => {
  it('creates the due activation named after its time in minutes, and requeues for the next', () => {
    const plan = planCronJob(cronJob(), [], new Set(), parsed, now);
    expect(plan.create).toEqual({ name: `report-${at('2025-01-01T00:10:00Z') / 60_000}`, scheduledMs: at('2025-01-01T00:10:00Z') });
    expect(plan.lastScheduleMs).toBe(at('2025-01-01T00:10:00Z'));
    expect(plan.requeueAfterMs).toBe(270_100);
    expect(jobNameFor('report', at('2025-01-01T00:10:59Z'))).toBe('report-28928170');
  });

  it('an activation already made is not made again', () => {
    const scheduledMs = at('2025-01-01T00:10:00Z');
    expect(planCronJob(cronJob({ lastScheduleMs: scheduledMs }), [], new Set(), parsed, now).create).toBeUndefined();
    const name = jobNameFor('report', scheduledMs);
    expect(planCronJob(cronJob({ active: [{ name, uid: 'u' }] }), [child(name, { uid: 'u' })], new Set(), parsed, now).create).toBeUndefined();
  });

  it('Forbid waits for the active Job; Replace deletes it and starts the new one; Allow runs both', () => {
    const previous = { name: 'report-1', uid: 'uid-report-1' };
    const base = cronJob({ lastScheduleMs: at('2025-01-01T00:05:00Z'), active: [previous] });
    const forbid = planCronJob({ ...base, concurrencyPolicy: 'Forbid' }, [child('report-1')], new Set(), parsed, now);
    expect(forbid.create).toBeUndefined();
    expect(forbid.events.map((event) => event.reason)).toEqual(['JobAlreadyActive']);
    const replace = planCronJob({ ...base, concurrencyPolicy: 'Replace' }, [child('report-1')], new Set(), parsed, now);
    expect(replace.deleteJobs).toEqual([previous]);
    expect(replace.active).toEqual([]);
    expect(replace.create).toBeDefined();
    const allow = planCronJob(base, [child('report-1')], new Set(), parsed, now);
    expect(allow.create).toBeDefined();
    expect(allow.active).toEqual([previous]);
  });

  it('finished Jobs leave active, missing ones too; lastSuccessfulTime is the latest completion', () => {
    const view = cronJob({ lastScheduleMs: at('2025-01-01T00:10:00Z'), active: [{ name: 'a', uid: 'uid-a' }, { name: 'gone', uid: 'uid-gone' }, { name: 'b', uid: 'uid-b' }] });
    const children = [child('a', { finished: 'Complete', completionMs: at('2025-01-01T00:07:00Z') }), child('b'), child('old', { finished: 'Complete', completionMs: at('2025-01-01T00:02:00Z') })];
    const plan = planCronJob(view, children, new Set(['uid-gone']), parsed, now);
    expect(plan.active).toEqual([{ name: 'b', uid: 'uid-b' }]);
    expect(plan.lastSuccessfulMs).toBe(at('2025-01-01T00:07:00Z'));
    expect(plan.events.map((event) => event.reason)).toEqual(['SawCompletedJob', 'MissingJob']);
    expect(plan.events[0]?.message).toBe('Saw completed job: a, condition: Complete');
  });

  it('startingDeadlineSeconds: a late activation is skipped with MissSchedule only when outside the window', () => {
    const late = planCronJob(cronJob({ startingDeadlineSeconds: 10, lastScheduleMs: at('2025-01-01T00:05:00Z') }), [], new Set(), parsed, now);
    expect(late.create).toBeUndefined();
    expect(late.requeueAfterMs).toBe(270_100);
    const inWindow = planCronJob(cronJob({ startingDeadlineSeconds: 60 }), [], new Set(), parsed, now);
    expect(inWindow.create?.scheduledMs).toBe(at('2025-01-01T00:10:00Z'));
    expect(rfc1123Z(at('2025-01-01T00:10:00Z'))).toBe('Wed, 01 Jan 2025 00:10:00 +0000');
  });

  it('suspended, being deleted or unusable schedule: no Job; schedule problems are reported', () => {
    expect(planCronJob(cronJob({ suspended: true }), [], new Set(), parsed, now).create).toBeUndefined();
    expect(planCronJob(cronJob({ beingDeleted: true }), [], new Set(), parsed, now).create).toBeUndefined();
    const broken = planCronJob(cronJob(), [], new Set(), parseCronSchedule('0 0 * * *', 'Nowhere/City'), now);
    expect(broken.create).toBeUndefined();
    expect(broken.events[0]).toMatchObject({ type: 'Warning', reason: 'UnknownTimeZone' });
  });

  it('history limits delete the oldest finished Jobs of each kind', () => {
    const finished = (name: string, kind: 'Complete' | 'Failed', minute: number) => child(name, { finished: kind, startMs: at('2025-01-01T00:00:00Z') + minute * 60_000 });
    const children = [finished('s1', 'Complete', 1), finished('s2', 'Complete', 2), finished('s3', 'Complete', 3), finished('s4', 'Complete', 4), finished('f1', 'Failed', 1), finished('f2', 'Failed', 2), child('running')];
    expect(jobsPastHistoryLimits(cronJob(), children).map((job) => job.name)).toEqual(['s1', 'f1']);
    expect(jobsPastHistoryLimits(cronJob({ successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 }), children).map((job) => job.name)).toEqual(['s1', 's2', 's3', 's4', 'f1', 'f2']);
    expect(planCronJob(cronJob({ lastScheduleMs: at('2025-01-01T00:10:00Z') }), children, new Set(), parsed, now).deleteJobs.map((job) => job.name)).toEqual(['s1', 'f1']);
  });

  it('never creates an activation twice when its own result is fed back (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom<'Allow' | 'Forbid' | 'Replace'>('Allow', 'Forbid', 'Replace'), (offsetSeconds, policy) => {
      const time = now + offsetSeconds * 1000;
      const first = planCronJob(cronJob({ concurrencyPolicy: policy }), [], new Set(), parsed, time);
      if (first.create === undefined) return;
      const reference = { name: first.create.name, uid: 'new' };
      const second = planCronJob(cronJob({ concurrencyPolicy: policy, lastScheduleMs: first.lastScheduleMs, active: [reference] }), [child(reference.name, { uid: 'new' })], new Set(), parsed, time);
      expect(second.create).toBeUndefined();
      expect(second.deleteJobs).toEqual([]);
    }));
  });
});

describe('CronJob Job template', () => {
  it('copies the jobTemplate, names the Job, annotates the scheduled time in the CronJob zone, references the CronJob', () => {
    const source: JsonObject = {
      metadata: { name: 'report', namespace: 'team', uid: 'cj-uid' },
      spec: { jobTemplate: { metadata: { labels: { app: 'report' }, annotations: { note: 'x' } }, spec: { backoffLimit: 2, template: { spec: { containers: [] } } } } },
    };
    const job = jobForCronJob(source, 'report-123', at('2025-07-01T07:00:00Z'), 'Europe/Paris');
    expect(job['metadata']).toEqual({
      name: 'report-123', namespace: 'team', labels: { app: 'report' },
      annotations: { note: 'x', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2025-07-01T09:00:00+02:00' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(job['spec']).toEqual({ backoffLimit: 2, template: { spec: { containers: [] } } });
    expect(rfc3339InZone(at('2025-01-01T00:00:00Z'), 'UTC')).toBe('2025-01-01T00:00:00Z');
    expect(rfc3339InZone(at('2025-01-01T00:00:00Z'), 'America/St_Johns')).toBe('2024-12-31T20:30:00-03:30');
  });
});
