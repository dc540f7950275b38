import { afterEach, describe, expect, it } from 'vitest';
import { createPrng, realTimers, type Env } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { cronJobResource } from '../../control-plane/api/registry/kinds/cron-job.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { jobResource } from '../../control-plane/api/registry/kinds/job.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { annotationsOf, conditionStatus, controllerOf, nameOf, uidOf } from '../../control-plane/controller-runtime/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';

/** Cluster time running `speed` times faster than real time, timers included, so a minute of schedule passes in seconds. */
const speed = 20;

function acceleratedEnv(): Env {
  const realStartMs = Date.now();
  const nowMs = () => realStartMs + (Date.now() - realStartMs) * speed;
  return {
    clock: { nowMs },
    timers: {
      setTimeout: (callback, delayMs) => realTimers.setTimeout(callback, delayMs / speed),
      setInterval: (callback, periodMs) => realTimers.setInterval(callback, periodMs / speed),
    },
    prng: createPrng(7),
  };
}

let harness: ControlPlaneHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(): Promise<ControlPlaneHarness> {
  return (harness = await ControlPlaneHarness.start({ env: acceleratedEnv() }));
}

function cronJob(name: string, spec: JsonObject): JsonObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '* * * * *', ...spec,
      jobTemplate: { metadata: { labels: { cron: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } } },
    },
  };
}

async function jobsOf(h: ControlPlaneHarness, name: string): Promise<JsonObject[]> {
  const owner = await h.client.get(cronJobResource, 'default', name);
  return (await h.client.list(jobResource, 'default')).items.filter((job) => owner !== null && controllerOf(job)?.uid === uidOf(owner)).sort((left, right) => (nameOf(left) < nameOf(right) ? -1 : 1));
}

async function cronStatus(h: ControlPlaneHarness, name: string): Promise<JsonObject> {
  return ((await h.client.get(cronJobResource, 'default', name))?.['status'] ?? {}) as JsonObject;
}

/** Finishes the Job's pod with success; resolves when the Job is Complete. */
async function completeJob(h: ControlPlaneHarness, jobName: string): Promise<void> {
  const job = await h.client.get(jobResource, 'default', jobName);
  const pod = await eventually(async () => (await h.client.list(podResource, 'default')).items.find((item) => controllerOf(item)?.uid === uidOf(job ?? {})));
  await h.finishPod('default', nameOf(pod), 0);
  await eventually(async () => conditionStatus(((await h.client.get(jobResource, 'default', jobName))?.['status'] as JsonObject | undefined)?.['conditions'], 'Complete') === 'True' || undefined);
}

const scheduledAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const scheduledMsOf = (job: JsonObject) => Date.parse(annotationsOf(job)[scheduledAnnotation] ?? '');
const activeNames = (status: JsonObject) => ((status['active'] ?? []) as JsonObject[]).map((reference) => reference['name']);

describe('CronJob controller against the real object layer (cluster time at 20x)', () => {
  it('creates one Job per activation, named after its minute, tracks it in active, records lastSuccessfulTime, keeps the history limit', async () => {
    const h = await start();
    await h.client.create(cronJobResource, cronJob('tick', { successfulJobsHistoryLimit: 1, timeZone: 'Europe/Paris' }));
    const first = await eventually(async () => (await jobsOf(h, 'tick'))[0], 10_000);
    const firstMs = scheduledMsOf(first);
    expect(firstMs % 60_000).toBe(0);
    expect(nameOf(first)).toBe(`tick-${firstMs / 60_000}`);
    expect(annotationsOf(first)[scheduledAnnotation]).toMatch(/\+0[12]:00$/);
    // Never before its time.
    expect(Date.parse(String((first['metadata'] as JsonObject)['creationTimestamp']))).toBeGreaterThanOrEqual(firstMs);
    await eventually(async () => {
      const status = await cronStatus(h, 'tick');
      return activeNames(status).includes(nameOf(first)) && Date.parse(String(status['lastScheduleTime'])) >= firstMs || undefined;
    });
    await completeJob(h, nameOf(first));
    await eventually(async () => {
      const status = await cronStatus(h, 'tick');
      return !activeNames(status).includes(nameOf(first)) && typeof status['lastSuccessfulTime'] === 'string' || undefined;
    });
    // A later activation: its own Job; once that completes, the history limit (1) removes the first.
    const second = await eventually(async () => (await jobsOf(h, 'tick')).find((job) => nameOf(job) !== nameOf(first)), 10_000);
    expect(scheduledMsOf(second) - firstMs).toBeGreaterThanOrEqual(60_000);
    expect(scheduledMsOf(second) % 60_000).toBe(0);
    await completeJob(h, nameOf(second));
    await eventually(async () => (await jobsOf(h, 'tick')).every((job) => nameOf(job) !== nameOf(first)) || undefined);
    // Every activation made exactly one Job (names are unique per minute by construction; none repeats).
    const names = (await jobsOf(h, 'tick')).map(nameOf);
    expect(new Set(names).size).toBe(names.length);
    await h.manager.events?.flushed();
    const reasons = (await h.client.list(eventResource, 'default')).items.filter((event) => (event['involvedObject'] as JsonObject)['name'] === 'tick').map((event) => String(event['reason']));
    expect(reasons).toEqual(expect.arrayContaining(['SuccessfulCreate', 'SawCompletedJob', 'SuccessfulDelete']));
  });

  it('Forbid skips activations while its Job runs; Replace deletes the running Job for each new activation', async () => {
    const h = await start();
    await h.client.create(cronJobResource, cronJob('solo', { concurrencyPolicy: 'Forbid' }));
    await h.client.create(cronJobResource, cronJob('swap', { concurrencyPolicy: 'Replace' }));
    const firstSwap = await eventually(async () => (await jobsOf(h, 'swap'))[0], 10_000);
    await eventually(async () => {
      const jobs = await jobsOf(h, 'swap');
      return jobs.length === 1 && nameOf(jobs[0] ?? {}) !== nameOf(firstSwap) || undefined;
    }, 10_000);
    await eventually(async () => {
      await h.manager.events?.flushed();
      return (await h.client.list(eventResource, 'default')).items.some((event) => event['reason'] === 'JobAlreadyActive' && (event['involvedObject'] as JsonObject)['name'] === 'solo') || undefined;
    }, 10_000);
    expect(await jobsOf(h, 'solo')).toHaveLength(1);
    const swapJobs = await jobsOf(h, 'swap');
    expect(swapJobs.length).toBeLessThanOrEqual(1);
    const swapStatus = await cronStatus(h, 'swap');
    expect(activeNames(swapStatus).length).toBeLessThanOrEqual(1);
  });

  it('a suspended CronJob creates nothing; a bad time zone is reported and creates nothing', async () => {
    const h = await start();
    await h.client.create(cronJobResource, cronJob('paused', { suspend: true }));
    await h.client.create(cronJobResource, cronJob('lost', { timeZone: 'Nowhere/Atlantis' }));
    await h.client.create(cronJobResource, cronJob('witness', {}));
    // Once the witness has run twice, at least one whole activation has passed for the others too.
    await eventually(async () => (await jobsOf(h, 'witness')).length >= 2 || undefined, 10_000);
    expect(await jobsOf(h, 'paused')).toHaveLength(0);
    expect(await jobsOf(h, 'lost')).toHaveLength(0);
    await h.manager.events?.flushed();
    expect((await h.client.list(eventResource, 'default')).items.some((event) => event['reason'] === 'UnknownTimeZone')).toBe(true);
  });
});
