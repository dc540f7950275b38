import { afterEach, describe, expect, it } from 'vitest';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { eventResource } from '../../control-plane/api/registry/kinds/event.ts';
import { jobResource } from '../../control-plane/api/registry/kinds/job.ts';
import { podResource } from '../../control-plane/api/registry/kinds/pod.ts';
import { annotationsOf, conditionStatus, controllerOf, findCondition, isBeingDeleted, isPodActive, isPodReady, labelsOfObject, nameOf, uidOf } from '../../control-plane/controller-runtime/index.ts';
import { ControlPlaneHarness, eventually } from './controllers-harness.ts';
import { editObject } from './workload-test-helpers.ts';

let harness: ControlPlaneHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function startWithNodes(count: number): Promise<ControlPlaneHarness> {
  const started = await ControlPlaneHarness.start();
  for (let index = 1; index <= count; index++) await started.addNode({ name: `node-${index}` });
  return started;
}

function job(name: string, spec: JsonObject, restartPolicy = 'Never'): JsonObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: { ...spec, template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox', command: ['true'], resources: { requests: { cpu: '50m' } } }] } } },
  };
}

async function podsOfJob(h: ControlPlaneHarness, name: string): Promise<JsonObject[]> {
  const current = await h.client.get(jobResource, 'default', name);
  const { items } = await h.client.list(podResource, 'default');
  return items.filter((pod) => current !== null && controllerOf(pod)?.uid === uidOf(current));
}

async function jobStatus(h: ControlPlaneHarness, name: string): Promise<JsonObject> {
  return ((await h.client.get(jobResource, 'default', name))?.['status'] ?? {}) as JsonObject;
}

async function eventReasons(h: ControlPlaneHarness, name: string): Promise<string[]> {
  await h.manager.events?.flushed();
  return (await h.client.list(eventResource, 'default')).items
    .filter((event) => (event['involvedObject'] as JsonObject)['name'] === name)
    .map((event) => String(event['reason']));
}

/** Finishes every ready (running) pod of the Job with the exit code; returns how many it finished. */
async function finishRunning(h: ControlPlaneHarness, name: string, exitCode: number): Promise<number> {
  const running = (await podsOfJob(h, name)).filter((pod) => isPodActive(pod) && isPodReady(pod));
  for (const pod of running) await h.finishPod('default', nameOf(pod), exitCode);
  return running.length;
}

describe('Job controller against the real object layer', () => {
  it('runs completions pods at most parallelism at a time, then is Complete with its counts and events', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(jobResource, job('batch', { completions: 5, parallelism: 2 }));
    let finished = 0;
    let mostActive = 0;
    await eventually(async () => {
      const active = (await podsOfJob(h, 'batch')).filter(isPodActive);
      mostActive = Math.max(mostActive, active.length);
      if (finished < 5) finished += await finishRunning(h, 'batch', 0);
      return conditionStatus((await jobStatus(h, 'batch'))['conditions'], 'Complete') === 'True' || undefined;
    }, 20_000, async () => JSON.stringify(await jobStatus(h, 'batch')));
    expect(mostActive).toBeLessThanOrEqual(2);
    const status = await jobStatus(h, 'batch');
    expect(status).toMatchObject({ succeeded: 5, ready: 0, terminating: 0 });
    expect(status['active']).toBeUndefined();
    expect(status['failed']).toBeUndefined();
    expect(typeof status['startTime']).toBe('string');
    expect(typeof status['completionTime']).toBe('string');
    expect(conditionStatus(status['conditions'], 'SuccessCriteriaMet')).toBe('True');
    expect(findCondition(status['conditions'], 'Complete')?.['reason']).toBe('CompletionsReached');
    const pods = await podsOfJob(h, 'batch');
    expect(pods).toHaveLength(5);
    const current = await h.client.get(jobResource, 'default', 'batch');
    for (const pod of pods) {
      expect(labelsOfObject(pod)).toMatchObject({ 'batch.kubernetes.io/controller-uid': uidOf(current ?? {}), 'batch.kubernetes.io/job-name': 'batch', 'controller-uid': uidOf(current ?? {}), 'job-name': 'batch' });
      expect(nameOf(pod).startsWith('batch-')).toBe(true);
    }
    const reasons = await eventReasons(h, 'batch');
    expect(reasons).toContain('SuccessfulCreate');
    expect(reasons).toContain('Completed');
  });

  it('fails with BackoffLimitExceeded when more pods failed than backoffLimit', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(jobResource, job('flaky', { completions: 2, parallelism: 2, backoffLimit: 1 }));
    // The two pods may turn Ready at different polls: count the failures across calls.
    let failedPods = 0;
    await eventually(async () => {
      failedPods += await finishRunning(h, 'flaky', 1);
      return failedPods >= 2 || undefined;
    }, 40_000);
    await eventually(async () => conditionStatus((await jobStatus(h, 'flaky'))['conditions'], 'Failed') === 'True' || undefined, 20_000);
    const status = await jobStatus(h, 'flaky');
    expect(status['failed']).toBe(2);
    expect(findCondition(status['conditions'], 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(conditionStatus(status['conditions'], 'FailureTarget')).toBe('True');
    expect(status['completionTime']).toBeUndefined();
    expect(await eventReasons(h, 'flaky')).toContain('BackoffLimitExceeded');
    // Failed at once: no replacement pod was created.
    expect(await podsOfJob(h, 'flaky')).toHaveLength(2);
  }, 90_000);

  it('activeDeadlineSeconds: running pods are deleted (gracefully, confirmed by their node), then Failed DeadlineExceeded', async () => {
    const h = (harness = await startWithNodes(1));
    // Every pod change, from the watch: a terminating pod may live for one fake-kubelet pass only.
    const stopWatching = new AbortController();
    let sawTerminating = false;
    const watching = (async () => {
      for await (const change of h.client.watch(podResource, await h.client.context.store.currentRevision(), stopWatching.signal, 'default')) {
        if (change.type !== 'progress' && isBeingDeleted(change.object) && change.type !== 'deleted') sawTerminating = true;
      }
    })().catch(() => undefined);
    await h.client.create(jobResource, job('slow', { completions: 2, parallelism: 2, activeDeadlineSeconds: 2 }));
    await eventually(async () => (await podsOfJob(h, 'slow')).filter(isPodReady).length === 2 || undefined);
    await eventually(async () => conditionStatus((await jobStatus(h, 'slow'))['conditions'], 'Failed') === 'True' || undefined, 15_000);
    stopWatching.abort();
    await watching;
    const status = await jobStatus(h, 'slow');
    expect(findCondition(status['conditions'], 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(status['failed']).toBe(2);
    expect(sawTerminating).toBe(true);
    expect(await podsOfJob(h, 'slow')).toHaveLength(0);
    expect(await eventReasons(h, 'slow')).toEqual(expect.arrayContaining(['SuccessfulDelete', 'DeadlineExceeded']));
  });

  it('ttlSecondsAfterFinished deletes the finished Job and its pods', async () => {
    const h = (harness = await startWithNodes(1));
    await h.client.create(jobResource, job('brief', { completions: 1, ttlSecondsAfterFinished: 1 }));
    await eventually(async () => (await finishRunning(h, 'brief', 0)) === 1 || undefined);
    await eventually(async () => conditionStatus((await jobStatus(h, 'brief'))['conditions'], 'Complete') === 'True' || undefined);
    const podNames = (await h.client.list(podResource, 'default')).items.filter((pod) => labelsOfObject(pod)['job-name'] === 'brief').map(nameOf);
    expect(podNames).toHaveLength(1);
    await eventually(async () => (await h.client.get(jobResource, 'default', 'brief')) === null || undefined, 15_000);
    await eventually(async () => (await h.client.list(podResource, 'default')).items.every((pod) => !podNames.includes(nameOf(pod))) || undefined);
  });

  it('a suspended Job creates no pods; resumed it runs; suspended again its running pods are deleted', async () => {
    const h = (harness = await startWithNodes(1));
    await h.client.create(jobResource, job('held', { completions: 2, parallelism: 2, suspend: true }));
    await eventually(async () => conditionStatus((await jobStatus(h, 'held'))['conditions'], 'Suspended') === 'True' || undefined);
    expect(await podsOfJob(h, 'held')).toHaveLength(0);
    expect((await jobStatus(h, 'held'))['startTime']).toBeUndefined();
    const setSuspend = (suspend: boolean) => editObject(h.client, jobResource, 'default', 'held', (object) => {
      (object['spec'] as JsonObject)['suspend'] = suspend;
    });
    await setSuspend(false);
    await eventually(async () => (await podsOfJob(h, 'held')).filter(isPodReady).length === 2 || undefined);
    const resumed = await jobStatus(h, 'held');
    expect(findCondition(resumed['conditions'], 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
    expect(typeof resumed['startTime']).toBe('string');
    await setSuspend(true);
    await eventually(async () => (await podsOfJob(h, 'held')).length === 0 || undefined);
    expect(conditionStatus((await jobStatus(h, 'held'))['conditions'], 'Suspended')).toBe('True');
    expect(await eventReasons(h, 'held')).toEqual(expect.arrayContaining(['Suspended', 'Resumed', 'SuccessfulDelete']));
  });

  it('Indexed: one pod per completion index with the index annotation, label, hostname and env; completedIndexes', async () => {
    const h = (harness = await startWithNodes(2));
    await h.client.create(jobResource, job('shards', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    await eventually(async () => (await podsOfJob(h, 'shards')).filter(isPodReady).length === 3 || undefined);
    const pods = await podsOfJob(h, 'shards');
    const indexes = pods.map((pod) => annotationsOf(pod)['batch.kubernetes.io/job-completion-index']).sort();
    expect(indexes).toEqual(['0', '1', '2']);
    for (const pod of pods) {
      const index = annotationsOf(pod)['batch.kubernetes.io/job-completion-index'] ?? '';
      expect(labelsOfObject(pod)['batch.kubernetes.io/job-completion-index']).toBe(index);
      expect(nameOf(pod).startsWith(`shards-${index}-`)).toBe(true);
      expect((pod['spec'] as JsonObject)['hostname']).toBe(`shards-${index}`);
      expect(JSON.stringify((pod['spec'] as JsonObject)['containers'])).toContain('JOB_COMPLETION_INDEX');
    }
    // Index 1 fails once: it is recreated with the same index (no backoff delay: successes came after the failure).
    const failing = pods.find((pod) => annotationsOf(pod)['batch.kubernetes.io/job-completion-index'] === '1');
    await h.finishPod('default', nameOf(failing ?? {}), 1);
    for (const pod of pods) if (pod !== failing) await h.finishPod('default', nameOf(pod), 0);
    await eventually(async () => (await jobStatus(h, 'shards'))['completedIndexes'] === '0,2' || undefined);
    await eventually(async () => (await finishRunning(h, 'shards', 0)) === 1 || undefined, 20_000);
    await eventually(async () => conditionStatus((await jobStatus(h, 'shards'))['conditions'], 'Complete') === 'True' || undefined);
    expect(await jobStatus(h, 'shards')).toMatchObject({ completedIndexes: '0-2', succeeded: 3, failed: 1 });
    const retried = (await podsOfJob(h, 'shards')).filter((pod) => annotationsOf(pod)['batch.kubernetes.io/job-completion-index'] === '1');
    expect(retried).toHaveLength(2);
    expect(retried.some(isBeingDeleted)).toBe(false);
  });
});
