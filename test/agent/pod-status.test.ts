import { describe, expect, it } from 'vitest';
import { computePodStatus, podPhase, type ContainerRecord, type PodSpec, type RecordState } from '../../agent/index.ts';

const waiting = (reason = 'ContainerCreating'): RecordState => ({ kind: 'waiting', reason });
const running: RecordState = { kind: 'running', startedAtMs: 1000 };
const exited = (exitCode: number): Extract<RecordState, { kind: 'terminated' }> => ({ kind: 'terminated', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAtMs: 1000, finishedAtMs: 2000 });

function record(name: string, state: RecordState, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return { name, isInit: false, image: '', restartCount: 0, state, ready: state.kind === 'running', started: state.kind === 'running', ...extra };
}

const spec = (restartPolicy: NonNullable<PodSpec['restartPolicy']>): PodSpec => ({ containers: [], restartPolicy });

describe('podPhase (kubelet getPhase)', () => {
  it('is Pending while init containers run or any container waits for its first start', () => {
    expect(podPhase(spec('Always'), [record('init', running, { isInit: true })], [record('app', waiting('PodInitializing'))])).toBe('Pending');
    expect(podPhase(spec('Always'), [], [record('a', running), record('b', waiting())])).toBe('Pending');
  });

  it('is Failed when an init container failed under Never, Pending (retrying) otherwise', () => {
    expect(podPhase(spec('Never'), [record('init', exited(1), { isInit: true })], [record('app', waiting('PodInitializing'))])).toBe('Failed');
    expect(podPhase(spec('OnFailure'), [record('init', waiting('CrashLoopBackOff'), { isInit: true, lastTerminated: exited(1) })], [record('app', waiting('PodInitializing'))])).toBe('Pending');
  });

  it('is Running with one container running, even if another is in CrashLoopBackOff', () => {
    expect(podPhase(spec('Always'), [], [record('a', running), record('b', waiting('CrashLoopBackOff'), { lastTerminated: exited(1) })])).toBe('Running');
  });

  it('decides terminal phases when everything stopped, by policy', () => {
    const allStopped = [record('a', exited(0)), record('b', exited(1))];
    expect(podPhase(spec('Always'), [], allStopped)).toBe('Running');
    expect(podPhase(spec('OnFailure'), [], allStopped)).toBe('Running');
    expect(podPhase(spec('Never'), [], allStopped)).toBe('Failed');
    expect(podPhase(spec('Never'), [], [record('a', exited(0))])).toBe('Succeeded');
    expect(podPhase(spec('OnFailure'), [], [record('a', exited(0))])).toBe('Succeeded');
  });
});

describe('computePodStatus', () => {
  const base = { spec: spec('Always'), hostIP: '10.0.0.5', startTimeMs: 0, nowMs: 5000 };

  it('reports conditions, IPs and container statuses as Kubernetes', () => {
    const status = computePodStatus({
      ...base,
      initContainers: [record('init', exited(0), { isInit: true })],
      containers: [record('web', running, { ready: true, containerId: 'p/web/0' }), record('side', waiting('CrashLoopBackOff'), { lastTerminated: exited(2), restartCount: 3 })],
    });
    expect(status.phase).toBe('Running');
    expect(status.podIP).toBe('10.0.0.5');
    expect(status.hostIP).toBe('10.0.0.5');
    const byType = Object.fromEntries(status.conditions.map((condition) => [condition.type, condition]));
    expect(byType['Initialized']?.status).toBe('True');
    expect(byType['PodScheduled']?.status).toBe('True');
    expect(byType['ContainersReady']).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [side]' });
    expect(byType['Ready']?.status).toBe('False');
    expect(status.containerStatuses[0]).toMatchObject({ name: 'web', ready: true, started: true, state: { running: { startedAt: '1970-01-01T00:00:01Z' } }, containerID: 'process://p/web/0' });
    expect(status.containerStatuses[1]).toMatchObject({
      restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, reason: 'Error' } },
    });
    expect(status.initContainerStatuses[0]).toMatchObject({ state: { terminated: { exitCode: 0, reason: 'Completed' } } });
  });

  it('keeps lastTransitionTime while a condition does not change', () => {
    const first = computePodStatus({ ...base, initContainers: [], containers: [record('web', waiting())] });
    const second = computePodStatus({ ...base, nowMs: 60_000, previous: first, initContainers: [], containers: [record('web', running, { ready: false })] });
    const third = computePodStatus({ ...base, nowMs: 120_000, previous: second, initContainers: [], containers: [record('web', running, { ready: true })] });
    const ready = (status: typeof first) => status.conditions.find((condition) => condition.type === 'Ready');
    expect(ready(second)?.lastTransitionTime).toBe(ready(first)?.lastTransitionTime);
    expect(ready(third)).toMatchObject({ status: 'True', lastTransitionTime: '1970-01-01T00:02:00Z' });
  });

  it('says PodCompleted and not ready once terminal', () => {
    const status = computePodStatus({ ...base, spec: spec('Never'), initContainers: [], containers: [record('job', exited(0))] });
    expect(status.phase).toBe('Succeeded');
    expect(status.conditions.find((condition) => condition.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
  });

  it('reports the incomplete init containers while initializing', () => {
    const status = computePodStatus({ ...base, initContainers: [record('a', exited(0), { isInit: true }), record('b', running, { isInit: true })], containers: [record('web', waiting('PodInitializing'))] });
    expect(status.phase).toBe('Pending');
    expect(status.conditions.find((condition) => condition.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [b]' });
  });
});
