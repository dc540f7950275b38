import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { formatIndexIntervals, parseIndexIntervals } from '../../control-plane/controllers/job-indexes.ts';
import { generateNameFor, jobCompletionIndexEnv, podForJob } from '../../control-plane/controllers/job-pod-template.ts';
import { jobPodView, podFinishedMs, type JobPodView } from '../../control-plane/controllers/job-pods.ts';
import {
  backoffRemainingMs, isJobFinished, planJob, wantedActive,
  type JobConditionView, type JobPlanOptions, type JobSpecView, type JobStatusView,
} from '../../control-plane/controllers/job-plan.ts';
import { jobStatusAfter } from '../../control-plane/controllers/job-status.ts';
import { jobExpiryMs } from '../../control-plane/controllers/job-ttl-plan.ts';
import { jobSpecView, jobStatusView } from '../../control-plane/controllers/job-views.ts';

const nowMs = Date.parse('2025-01-01T12:00:00Z');
const options: JobPlanOptions = { actionsMax: 100, backoff: { baseMs: 10_000, maxMs: 600_000 } };

function spec(extra: Partial<JobSpecView> = {}): JobSpecView {
  return { completions: 1, parallelism: 1, backoffLimit: 6, activeDeadlineSeconds: undefined, suspended: false, indexed: false, restartOnFailure: false, replaceOnlyFailed: false, ...extra };
}

function status(extra: Partial<JobStatusView> = {}): JobStatusView {
  return { startTimeMs: nowMs - 1_000, succeeded: 0, failed: 0, completedIndexes: '', conditions: [], ...extra };
}

function pod(name: string, extra: Partial<JobPodView> = {}): JobPodView {
  return { name, nodeName: 'node-1', phase: 'Running', ready: true, creationMs: nowMs - 5_000, terminating: false, index: undefined, finishedMs: nowMs - 5_000, restarts: 0, ...extra };
}

const condition = (type: string, reason = '', message = ''): JobConditionView => ({ type, status: 'True', reason, message });
const types = (plan: ReturnType<typeof planJob>) => plan.conditions.map((update) => `${update.type}=${update.status}`);

describe('Job plan: completions and parallelism', () => {
  it('starts up to parallelism pods, never more than the completions still missing', () => {
    expect(planJob(spec({ completions: 5, parallelism: 2 }), status(), [], nowMs, options).create).toHaveLength(2);
    const oneLeft = planJob(spec({ completions: 3, parallelism: 2 }), status(), [pod('a', { phase: 'Succeeded' }), pod('b', { phase: 'Succeeded' })], nowMs, options);
    expect(oneLeft.create).toHaveLength(1);
    const running = planJob(spec({ completions: 3, parallelism: 2 }), status(), [pod('a'), pod('b')], nowMs, options);
    expect(running.create).toHaveLength(0);
    expect(running.status).toMatchObject({ active: 2, ready: 2, succeeded: 0 });
  });

  it('deletes surplus pods when parallelism drops, the least valuable first', () => {
    const pods = [pod('old'), pod('pending', { phase: 'Pending', ready: false, nodeName: '' }), pod('new', { creationMs: nowMs })];
    const plan = planJob(spec({ completions: 10, parallelism: 1 }), status(), pods, nowMs, options);
    expect(plan.deleteNames).toEqual(['pending', 'new']);
    expect(plan.create).toHaveLength(0);
    expect(plan.status.terminating).toBe(2);
  });

  it('completes when the completions succeeded and nothing is left running: SuccessCriteriaMet, then Complete, once', () => {
    const pods = [pod('a', { phase: 'Succeeded' }), pod('b', { phase: 'Succeeded' })];
    const plan = planJob(spec({ completions: 2, parallelism: 2 }), status(), pods, nowMs, options);
    expect(types(plan)).toEqual(['SuccessCriteriaMet=True', 'Complete=True']);
    expect(plan.conditions[1]).toMatchObject({ reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    expect(plan.events).toEqual([{ type: 'Normal', reason: 'Completed', message: 'Job completed' }]);
    expect(plan.status).toMatchObject({ succeeded: 2, active: 0, completedNow: true });
    expect(isJobFinished(status({ conditions: [condition('Complete')] }))).toBe(true);
  });

  it('a work queue (no completions) completes once one pod succeeded and the others finished', () => {
    const queue = spec({ completions: undefined, parallelism: 3 });
    expect(planJob(queue, status(), [], nowMs, options).create).toHaveLength(3);
    const stillRunning = planJob(queue, status(), [pod('a', { phase: 'Succeeded' }), pod('b'), pod('c')], nowMs, options);
    expect(stillRunning.create).toHaveLength(0);
    expect(stillRunning.deleteNames).toEqual([]);
    expect(types(stillRunning)).toEqual([]);
    const done = planJob(queue, status(), [pod('a', { phase: 'Succeeded' }), pod('b', { phase: 'Succeeded' }), pod('c', { phase: 'Failed' })], nowMs, options);
    expect(types(done)).toEqual(['SuccessCriteriaMet=True', 'Complete=True']);
    expect(wantedActive(queue, 1, 2)).toBe(2);
  });

  it('counts never go below what the status already recorded (pods may be deleted after finishing)', () => {
    const plan = planJob(spec({ completions: 5, parallelism: 1 }), status({ succeeded: 3, failed: 2 }), [pod('a', { phase: 'Succeeded' })], nowMs, options);
    expect(plan.status).toMatchObject({ succeeded: 3, failed: 2 });
    expect(plan.create).toHaveLength(1);
  });
});

describe('Job plan: failure', () => {
  it('more failures than backoffLimit: FailureTarget, running pods deleted and counted failed, then Failed once they are gone', () => {
    const pods = [pod('f1', { phase: 'Failed' }), pod('f2', { phase: 'Failed' }), pod('running')];
    const plan = planJob(spec({ completions: 3, parallelism: 3, backoffLimit: 1 }), status(), pods, nowMs, options);
    expect(types(plan)).toEqual(['FailureTarget=True']);
    expect(plan.conditions[0]).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(plan.deleteNames).toEqual(['running']);
    expect(plan.status).toMatchObject({ failed: 3, active: 0, terminating: 1 });
    expect(plan.events).toEqual([]);
    // The deleted pod is terminating (graceful deletion): still no Failed.
    const failureTarget = status({ failed: 3, conditions: [condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit')] });
    const waiting = planJob(spec({ completions: 3, parallelism: 3, backoffLimit: 1 }), failureTarget, [...pods.slice(0, 2), pod('running', { terminating: true })], nowMs, options);
    expect(types(waiting)).toEqual(['FailureTarget=True']);
    expect(waiting.create).toEqual([]);
    expect(waiting.status.failed).toBe(3);
    const gone = planJob(spec({ completions: 3, parallelism: 3, backoffLimit: 1 }), failureTarget, pods.slice(0, 2), nowMs, options);
    expect(types(gone)).toEqual(['FailureTarget=True', 'Failed=True']);
    expect(gone.conditions[1]).toMatchObject({ reason: 'BackoffLimitExceeded' });
    expect(gone.events).toEqual([{ type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]);
    expect(gone.status.completedNow).toBe(false);
  });

  it('exactly backoffLimit failures are still allowed', () => {
    const plan = planJob(spec({ completions: 1, backoffLimit: 1 }), status(), [pod('f1', { phase: 'Failed', finishedMs: nowMs - 60_000 })], nowMs, options);
    expect(types(plan)).toEqual([]);
    expect(plan.create).toHaveLength(1);
  });

  it('restartPolicy OnFailure: container restarts of running pods reach the backoff limit', () => {
    const onFailure = spec({ restartOnFailure: true, backoffLimit: 2 });
    expect(types(planJob(onFailure, status(), [pod('a', { restarts: 1 })], nowMs, options))).toEqual([]);
    expect(types(planJob(onFailure, status(), [pod('a', { restarts: 2 })], nowMs, options))).toEqual(['FailureTarget=True']);
    expect(types(planJob(spec({ restartOnFailure: true, backoffLimit: 0 }), status(), [pod('a', { restarts: 1 })], nowMs, options))).toEqual(['FailureTarget=True']);
  });

  it('activeDeadlineSeconds: looked at again when it ends, then DeadlineExceeded', () => {
    const deadline = spec({ activeDeadlineSeconds: 20 });
    const early = planJob(deadline, status({ startTimeMs: nowMs - 10_000 }), [pod('a')], nowMs, options);
    expect(early.requeueAfterMs).toBe(10_000);
    const late = planJob(deadline, status({ startTimeMs: nowMs - 20_000 }), [pod('a')], nowMs, options);
    expect(late.conditions[0]).toMatchObject({ type: 'FailureTarget', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(late.deleteNames).toEqual(['a']);
  });

  it('waits 10 s doubling per failure since the last success before creating again', () => {
    const failed = (name: string, agoMs: number) => pod(name, { phase: 'Failed', finishedMs: nowMs - agoMs });
    expect(backoffRemainingMs([failed('a', 3_000)], nowMs, options.backoff)).toBe(7_000);
    expect(backoffRemainingMs([failed('a', 3_000), failed('b', 4_000)], nowMs, options.backoff)).toBe(17_000);
    expect(backoffRemainingMs([failed('a', 3_000), pod('ok', { phase: 'Succeeded', finishedMs: nowMs - 1_000 })], nowMs, options.backoff)).toBe(0);
    const many = Array.from({ length: 40 }, (_, index) => failed(`f${index}`, 1_000));
    expect(backoffRemainingMs(many, nowMs, options.backoff)).toBe(599_000);
    const plan = planJob(spec({ completions: 2 }), status(), [failed('a', 3_000)], nowMs, options);
    expect(plan.create).toEqual([]);
    expect(plan.requeueAfterMs).toBe(7_000);
  });
});

describe('Job plan: suspend', () => {
  it('suspending deletes the active pods and sets Suspended; resuming clears it and restarts the clock', () => {
    const suspended = planJob(spec({ suspended: true, completions: 2, parallelism: 2 }), status(), [pod('a'), pod('b', { phase: 'Succeeded' })], nowMs, options);
    expect(suspended.deleteNames).toEqual(['a']);
    expect(suspended.conditions).toEqual([{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }]);
    expect(suspended.events).toEqual([{ type: 'Normal', reason: 'Suspended', message: 'Job suspended' }]);
    const created = planJob(spec({ suspended: true }), status({ startTimeMs: undefined }), [], nowMs, options);
    expect(created.status.startTimeMs).toBeUndefined();
    expect(created.create).toEqual([]);
    const resumed = planJob(spec({ activeDeadlineSeconds: 5 }), status({ startTimeMs: nowMs - 60_000, conditions: [condition('Suspended', 'JobSuspended')] }), [], nowMs, options);
    expect(resumed.conditions).toEqual([{ type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed' }]);
    expect(resumed.status.startTimeMs).toBe(nowMs);
    expect(resumed.create).toHaveLength(1);
    expect(resumed.requeueAfterMs).toBe(5_000);
  });
});

describe('Job plan: Indexed completion', () => {
  const indexed = spec({ indexed: true, completions: 4, parallelism: 2 });

  it('creates the lowest pending indexes and completes when every index succeeded', () => {
    expect(planJob(indexed, status(), [], nowMs, options).create).toEqual([0, 1]);
    const plan = planJob(indexed, status(), [pod('p0', { index: 0, phase: 'Succeeded' }), pod('p1', { index: 1 })], nowMs, options);
    expect(plan.create).toEqual([2]);
    expect(plan.status.completedIndexes).toEqual([0]);
    const fromStatus = planJob(indexed, status({ completedIndexes: '0-2' }), [pod('p3', { index: 3, phase: 'Succeeded' })], nowMs, options);
    expect(fromStatus.status.completedIndexes).toEqual([0, 1, 2, 3]);
    expect(fromStatus.status.succeeded).toBe(4);
    expect(types(fromStatus)).toEqual(['SuccessCriteriaMet=True', 'Complete=True']);
  });

  it('deletes pods without a valid index, of a completed index, and duplicates (keeping the best)', () => {
    const pods = [
      pod('done', { index: 0, phase: 'Succeeded' }), pod('again', { index: 0 }), pod('bad', { index: undefined }), pod('far', { index: 9 }),
      pod('one-old', { index: 1 }), pod('one-new', { index: 1, creationMs: nowMs }),
    ];
    const plan = planJob(spec({ indexed: true, completions: 4, parallelism: 4 }), status(), pods, nowMs, options);
    expect([...plan.deleteNames].sort()).toEqual(['again', 'bad', 'far', 'one-new']);
    expect(plan.create).toEqual([]);
  });

  it('formats and parses completed index intervals (round trip)', () => {
    expect(formatIndexIntervals([5, 1, 2, 3, 7, 8])).toBe('1-3,5,7-8');
    expect(parseIndexIntervals('1-3,5,7-8,x,12', 10)).toEqual([1, 2, 3, 5, 7, 8]);
    fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 60 }), (indexes) => {
      expect(parseIndexIntervals(formatIndexIntervals(indexes), 301)).toEqual([...indexes].sort((left, right) => left - right));
    }));
  });
});

describe('Job plan: properties', () => {
  const phase = fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed');
  const podArbitrary = fc.record({ phase, ready: fc.boolean(), terminating: fc.boolean(), index: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }), ageMs: fc.integer({ min: 0, max: 100_000 }) });
  const specArbitrary = fc.record({
    completions: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }), parallelism: fc.integer({ min: 0, max: 6 }),
    backoffLimit: fc.integer({ min: 0, max: 6 }), suspended: fc.boolean(), indexed: fc.boolean(), replaceOnlyFailed: fc.boolean(),
  });

  it('never runs more than parallelism pods nor more than the completions missing; bounded actions; counts never decrease', () => {
    fc.assert(fc.property(specArbitrary, fc.array(podArbitrary, { maxLength: 20 }), fc.integer({ min: 1, max: 5 }), fc.nat(4), fc.nat(4), (shape, rawPods, actionsMax, succeededBefore, failedBefore) => {
      const jobSpec = spec({ ...shape, indexed: shape.indexed && shape.completions !== undefined });
      const pods = rawPods.map((raw, position) => pod(`p${position}`, { phase: raw.phase, ready: raw.ready, terminating: raw.terminating, index: raw.index, creationMs: nowMs - raw.ageMs, finishedMs: nowMs - raw.ageMs }));
      const plan = planJob(jobSpec, status({ succeeded: succeededBefore, failed: failedBefore }), pods, nowMs, { ...options, actionsMax });
      expect(plan.create.length + plan.deleteNames.length).toBeLessThanOrEqual(actionsMax);
      expect(plan.status.failed).toBeGreaterThanOrEqual(failedBefore);
      if (!jobSpec.indexed) expect(plan.status.succeeded).toBeGreaterThanOrEqual(succeededBefore);
      if (plan.create.length > 0) {
        expect(plan.status.active).toBeLessThanOrEqual(jobSpec.parallelism);
        if (jobSpec.completions !== undefined) expect(plan.status.active).toBeLessThanOrEqual(Math.max(0, jobSpec.completions - plan.status.succeeded));
        expect(jobSpec.suspended).toBe(false);
      }
      if (jobSpec.indexed) for (const index of plan.create) expect(index).toBeLessThan(jobSpec.completions ?? 0);
      expect(plan.create.length === 0 || plan.deleteNames.length === 0).toBe(true);
    }));
  });

  it('a repeated plan changes nothing once its status is written (level-based, idempotent)', () => {
    fc.assert(fc.property(specArbitrary, fc.array(podArbitrary, { maxLength: 10 }), (shape, rawPods) => {
      const jobSpec = spec({ ...shape, indexed: shape.indexed && shape.completions !== undefined });
      // Only pods the plan leaves alone: finished ones (a stable world).
      const pods = rawPods.filter((raw) => raw.phase === 'Succeeded' || raw.phase === 'Failed').map((raw, position) => pod(`p${position}`, { phase: raw.phase, index: raw.index, finishedMs: nowMs - 700_000 }));
      const job: JsonObject = { status: {} };
      const first = planJob(jobSpec, jobStatusView(job), pods, nowMs, options);
      const written = jobStatusAfter({}, first, nowMs);
      const second = planJob(jobSpec, jobStatusView({ status: written }), pods, nowMs, options);
      const rewritten = jobStatusAfter(written, second, nowMs);
      if (first.create.length === 0) expect(rewritten).toEqual(written);
    }));
  });
});

describe('Job objects', () => {
  const job: JsonObject = {
    metadata: { name: 'work', namespace: 'default', uid: 'u-1' },
    spec: {
      completions: 3, parallelism: 2, backoffLimit: 4, completionMode: 'Indexed', podReplacementPolicy: 'TerminatingOrFailed',
      template: { metadata: { labels: { 'batch.kubernetes.io/job-name': 'work' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main', image: 'busybox', env: [{ name: 'A', value: '1' }] }] } },
    },
  };

  it('reads the spec and status into the plan views', () => {
    expect(jobSpecView(job)).toEqual({ completions: 3, parallelism: 2, backoffLimit: 4, activeDeadlineSeconds: undefined, suspended: false, indexed: true, restartOnFailure: true, replaceOnlyFailed: false });
    expect(jobStatusView({ status: { startTime: '2025-01-01T12:00:00Z', succeeded: 2, completedIndexes: '0,2', conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended' }] } })).toEqual({
      startTimeMs: nowMs, succeeded: 2, failed: 0, completedIndexes: '0,2', conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: '' }],
    });
  });

  it('builds an Indexed pod as Kubernetes: index annotation and label, hostname, JOB_COMPLETION_INDEX, controller reference', () => {
    const created = podForJob(job, 2);
    const metadata = created['metadata'] as JsonObject;
    expect(metadata['generateName']).toBe('work-2-');
    expect(metadata['annotations']).toEqual({ 'batch.kubernetes.io/job-completion-index': '2' });
    expect(metadata['labels']).toEqual({ 'batch.kubernetes.io/job-name': 'work', 'batch.kubernetes.io/job-completion-index': '2' });
    expect(metadata['ownerReferences']).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'work', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
    const podSpec = created['spec'] as JsonObject;
    expect(podSpec['hostname']).toBe('work-2');
    expect(((podSpec['containers'] as JsonObject[])[0] as JsonObject)['env']).toEqual([
      { name: 'A', value: '1' },
      { name: jobCompletionIndexEnv, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
    ]);
    expect(jobPodView({ ...created, metadata: { ...metadata, name: 'work-2-abcde' } }).index).toBe(2);
    expect(((podForJob(job, undefined)['metadata'] as JsonObject)['generateName'])).toBe('work-');
    expect(generateNameFor('x'.repeat(70), 12)).toBe(`${'x'.repeat(54)}-12-`);
    // The template is not modified.
    expect(JSON.stringify(job)).not.toContain(jobCompletionIndexEnv);
  });

  it('finish time: last container termination, else Ready=False, else deletion, else creation', () => {
    const base = { metadata: { creationTimestamp: '2025-01-01T11:00:00Z' } };
    expect(podFinishedMs(base)).toBe(nowMs - 3_600_000);
    expect(podFinishedMs({ ...base, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2025-01-01T11:30:00Z' }] } })).toBe(nowMs - 1_800_000);
    expect(podFinishedMs({ ...base, status: { containerStatuses: [{ state: { terminated: { finishedAt: '2025-01-01T11:59:00Z' } } }, { state: { terminated: { finishedAt: '2025-01-01T11:58:00Z' } } }] } })).toBe(nowMs - 60_000);
  });

  it('the status write sets counters, times and conditions, and keeps lastTransitionTime when nothing changes', () => {
    const plan = planJob(spec({ completions: 1 }), status({ startTimeMs: undefined }), [pod('a', { phase: 'Succeeded' })], nowMs, options);
    const written = jobStatusAfter({}, plan, nowMs);
    expect(written).toMatchObject({ succeeded: 1, ready: 0, terminating: 0, startTime: '2025-01-01T12:00:00Z', completionTime: '2025-01-01T12:00:00Z' });
    expect(written['active']).toBeUndefined();
    expect((written['conditions'] as JsonObject[]).map((item) => item['type'])).toEqual(['SuccessCriteriaMet', 'Complete']);
    expect(jobStatusAfter(written, plan, nowMs + 5_000)).toEqual(written);
  });

  it('TTL after finished: from the finish condition, never for unfinished or deleting Jobs', () => {
    const finished = { spec: { ttlSecondsAfterFinished: 30 }, status: { conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: '2025-01-01T12:00:00Z' }] } };
    expect(jobExpiryMs(finished)).toBe(nowMs + 30_000);
    expect(jobExpiryMs({ ...finished, spec: {} })).toBeUndefined();
    expect(jobExpiryMs({ spec: { ttlSecondsAfterFinished: 30 }, status: {} })).toBeUndefined();
    expect(jobExpiryMs({ ...finished, metadata: { deletionTimestamp: '2025-01-01T12:00:01Z' } })).toBeUndefined();
  });
});
