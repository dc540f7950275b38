import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PodWorker, ProcessRuntime, type Container, type EnvLookups, type Pod, type PodStatus } from '../../agent/index.ts';
import { fixtureServer, httpGet, lookups, makePod, makeTempDirectory, node, removeDirectory, testEnv, waitFor } from './helpers.ts';

let root: string;
let runtime: ProcessRuntime;
const workers: PodWorker[] = [];

beforeEach(async () => {
  root = await makeTempDirectory();
  runtime = new ProcessRuntime({ rootDirectory: root, env: testEnv(), adoptedPollMs: 50 });
});

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop(0.2).catch(() => undefined);
  await runtime.close();
  await removeDirectory(root);
});

function run(pod: Pod, options: { lookups?: EnvLookups; on?: ProcessRuntime; backoffMs?: number } = {}): { worker: PodWorker; statuses: PodStatus[] } {
  const statuses: PodStatus[] = [];
  const worker = new PodWorker({
    pod, runtime: options.on ?? runtime, env: testEnv(), lookups: options.lookups ?? lookups(),
    onStatus: (status) => void statuses.push(status),
    backoff: { initialMs: options.backoffMs ?? 300, maxMs: 4 * (options.backoffMs ?? 300) },
    configRetryMs: 100,
  });
  workers.push(worker);
  worker.start();
  return { worker, statuses };
}

const web = (fields: Partial<Container> = {}): Container => ({ name: 'web', command: [node, fixtureServer], ports: [{ name: 'http', containerPort: 8080 }], ...fields });
const condition = (status: PodStatus, type: string) => status.conditions.find((entry) => entry.type === type)?.status;
const hostPort = (status: PodStatus) => Number(status.containerStatuses[0] && runtime.list().find((container) => container.containerName === status.containerStatuses[0]?.name)?.ports[0]?.hostPort);
const containerRoot = (pod: Pod, name: string) => join(root, 'pods', pod.metadata.uid, 'containers', name, 'root');

describe('PodWorker on real processes', () => {
  it('runs init containers in order, each to exit 0, then the app; the pod becomes Running and Ready', async () => {
    const append = (word: string): Container => ({ name: `init-${word}`, command: ['sh', '-c', `sleep 0.1; echo ${word} >> "$FLOTILLA_VOLUME_WORK/order"`], volumeMounts: [{ name: 'work', mountPath: '/work' }] });
    const pod = makePod({
      initContainers: [append('one'), append('two'), append('three')],
      containers: [web({ volumeMounts: [{ name: 'work', mountPath: '/work' }], readinessProbe: { httpGet: { port: 'http', path: '/healthz' }, periodSeconds: 0.1 } })],
      volumes: [{ name: 'work', emptyDir: {} }],
    });
    const { worker, statuses } = run(pod);
    const ready = await waitFor(() => statuses.find((status) => condition(status, 'Ready') === 'True'), 15_000, 'Ready');
    expect(ready.phase).toBe('Running');
    expect(ready.initContainerStatuses.map((status) => status.state.terminated?.reason)).toEqual(['Completed', 'Completed', 'Completed']);
    expect(await readFile(join(root, 'pods', pod.metadata.uid, 'volumes/empty-dir/work/order'), 'utf8')).toBe('one\ntwo\nthree\n');
    // Before init finished, the app waited in PodInitializing and the pod was Pending, not Initialized.
    const early = statuses[0];
    expect(early?.phase).toBe('Pending');
    expect(early?.containerStatuses[0]?.state.waiting?.reason).toBe('PodInitializing');
    expect(statuses.some((status) => condition(status, 'Initialized') === 'False')).toBe(true);
    // The relative symlink for the mount exists inside the container directory.
    expect(await readFile(join(containerRoot(pod, 'web'), 'work/order'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(worker.status().containerStatuses[0]).toMatchObject({ ready: true, started: true, restartCount: 0 });
  });

  it('fails the pod when an init container fails under restartPolicy Never, and never starts the app', async () => {
    const pod = makePod({ restartPolicy: 'Never', initContainers: [{ name: 'bad', command: ['sh', '-c', 'exit 4'] }], containers: [web()] });
    const { statuses } = run(pod);
    const failed = await waitFor(() => statuses.find((status) => status.phase === 'Failed'), 10_000, 'Failed');
    expect(failed.initContainerStatuses[0]?.state.terminated).toMatchObject({ exitCode: 4, reason: 'Error' });
    expect(runtime.list(pod.metadata.uid).map((container) => container.containerName)).toEqual(['bad']);
  });

  it('follows restartPolicy for exits: OnFailure succeeds on 0, Never fails on non-zero', async () => {
    const ok = run(makePod({ restartPolicy: 'OnFailure', containers: [{ name: 'job', command: ['sh', '-c', 'exit 0'] }] }, 'ok'));
    const bad = run(makePod({ restartPolicy: 'Never', containers: [{ name: 'job', command: ['sh', '-c', 'exit 2'] }] }, 'bad'));
    const succeeded = await waitFor(() => ok.statuses.find((status) => status.phase === 'Succeeded'), 10_000, 'Succeeded');
    expect(succeeded.containerStatuses[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const failed = await waitFor(() => bad.statuses.find((status) => status.phase === 'Failed'), 10_000, 'Failed');
    expect(failed.containerStatuses[0]).toMatchObject({ restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error' } } });
  });

  it('restarts a container whose liveness probe fails, with back-off (CrashLoopBackOff), and recovers', async () => {
    const pod = makePod({
      terminationGracePeriodSeconds: 1,
      containers: [web({ livenessProbe: { httpGet: { port: 'http', path: '/healthz' }, periodSeconds: 0.1, failureThreshold: 2 } })],
    });
    await writeFile(join(await makeRoot(pod, 'web'), 'sick'), '');
    const { worker, statuses } = run(pod);
    const seenAtMs = new Map<string, number>();
    const watch = setInterval(() => {
      const container = worker.status().containerStatuses[0];
      const key = `${container?.restartCount}:${container?.state.waiting?.reason ?? (container?.state.running ? 'running' : 'other')}`;
      if (!seenAtMs.has(key)) seenAtMs.set(key, Date.now());
    }, 5);
    const looping = await waitFor(() => statuses.find((status) => status.containerStatuses[0]?.state.waiting?.reason === 'CrashLoopBackOff'), 15_000, 'CrashLoopBackOff');
    expect(looping.containerStatuses[0]?.lastState.terminated).toMatchObject({ reason: 'Completed' });
    expect(looping.containerStatuses[0]?.state.waiting?.message).toMatch(/^back-off 300ms restarting failed container=web pod=web_default\(uid-/);
    expect(looping.containerStatuses[0]?.restartCount).toBe(1);
    expect(looping.phase).toBe('Running');
    const restarts = await waitFor(() => (worker.status().containerStatuses[0]?.restartCount ?? 0) >= 2 && worker.status().containerStatuses[0]?.restartCount, 15_000, 'second restart');
    await rm(join(containerRoot(pod, 'web'), 'sick'));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const settled = worker.status().containerStatuses[0];
    expect(settled?.state.running).toBeDefined();
    expect(settled?.restartCount).toBeLessThanOrEqual(restarts + 1);
    clearInterval(watch);
    // The first restart is immediate; the second waits out the 300 ms window in CrashLoopBackOff.
    const backoffSeenAt = seenAtMs.get('1:CrashLoopBackOff') ?? 0;
    const secondRunAt = seenAtMs.get('2:running') ?? 0;
    expect(secondRunAt - backoffSeenAt).toBeGreaterThanOrEqual(200);
    expect(runtime.list(pod.metadata.uid).filter((container) => container.exit === undefined)).toHaveLength(1);
    // Never a second copy: the runtime would have refused it, and the worker would report StartError.
    expect(statuses.some((status) => status.containerStatuses[0]?.lastState.terminated?.reason === 'StartError')).toBe(false);
  });

  it('reports readiness from the readiness probe, gated by the startup probe', async () => {
    const pod = makePod({
      containers: [web({
        startupProbe: { exec: { command: ['test', '-f', 'started'] }, periodSeconds: 0.1, failureThreshold: 100 },
        readinessProbe: { httpGet: { port: 'http', path: '/ready' }, periodSeconds: 0.1 },
      })],
    });
    const { worker } = run(pod);
    const port = await waitFor(() => runtime.list(pod.metadata.uid)[0]?.ports[0]?.hostPort, 10_000, 'started');
    await waitFor(async () => (await httpGet(port, '/ready/on').catch(() => undefined))?.status === 200, 10_000, 'server');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(worker.status().containerStatuses[0]).toMatchObject({ started: false, ready: false });
    await writeFile(join(containerRoot(pod, 'web'), 'started'), '');
    await waitFor(() => condition(worker.status(), 'Ready') === 'True', 5000, 'ready');
    expect(worker.status().containerStatuses[0]?.started).toBe(true);
    await httpGet(port, '/ready/off');
    await waitFor(() => condition(worker.status(), 'Ready') === 'False', 5000, 'unready');
    expect(worker.status().containerStatuses[0]?.state.running).toBeDefined();
  });

  it('stops gracefully: preStop hook, SIGTERM, and SIGKILL after the grace period', async () => {
    const polite = makePod({ containers: [web({ lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo ran > prestop'] } } } })] }, 'polite');
    const stubborn = makePod({ containers: [web({ env: [{ name: 'IGNORE_SIGTERM', value: '1' }] })] }, 'stubborn');
    const first = run(polite);
    const second = run(stubborn);
    await waitFor(() => first.statuses.find((status) => status.phase === 'Running'), 10_000, 'polite running');
    await waitFor(() => second.statuses.find((status) => status.phase === 'Running'), 10_000, 'stubborn running');
    const port = hostPort(second.worker.status());
    await waitFor(async () => (await httpGet(port, '/healthz').catch(() => undefined))?.status === 200, 10_000, 'server');
    const done = await first.worker.stop(5);
    expect(await readFile(join(containerRoot(polite, 'web'), 'prestop'), 'utf8')).toBe('ran\n');
    expect(done.phase).toBe('Succeeded');
    expect(done.containerStatuses[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const before = Date.now();
    const killed = await second.worker.stop(0.5);
    expect(Date.now() - before).toBeGreaterThanOrEqual(450);
    expect(killed.phase).toBe('Failed');
    expect(killed.containerStatuses[0]?.state.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(condition(killed, 'Ready')).toBe('False');
  });

  it('projects a configMap volume and updates it atomically when the ConfigMap changes', async () => {
    const configMaps: Record<string, Record<string, string>> = { settings: { 'mode.txt': 'v1' } };
    const pod = makePod({
      containers: [web({ volumeMounts: [{ name: 'config', mountPath: '/etc/config' }] })],
      volumes: [{ name: 'config', configMap: { name: 'settings' } }],
    });
    const { worker } = run(pod, { lookups: lookups(configMaps) });
    await waitFor(() => worker.status().phase === 'Running', 10_000, 'running');
    const port = hostPort(worker.status());
    const read = async () => (await httpGet(port, '/file?path=etc/config/mode.txt').catch(() => undefined))?.body;
    await waitFor(async () => (await read()) === 'v1', 10_000, 'v1');
    const env = JSON.parse((await httpGet(port, '/env')).body) as Record<string, string>;
    expect(await readFile(join(env['FLOTILLA_VOLUME_CONFIG'] ?? '', 'mode.txt'), 'utf8')).toBe('v1');
    configMaps['settings'] = { 'mode.txt': 'v2', 'extra.txt': 'more' };
    await worker.refreshVolumes();
    expect(await read()).toBe('v2');
    expect((await httpGet(port, '/file?path=etc/config/extra.txt')).body).toBe('more');
  });

  it('waits in CreateContainerConfigError until a missing ConfigMap appears', async () => {
    const configMaps: Record<string, Record<string, string>> = {};
    const pod = makePod({ containers: [web({ env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'late', key: 'mode' } } }] })] });
    const { worker } = run(pod, { lookups: lookups(configMaps) });
    await waitFor(() => worker.status().containerStatuses[0]?.state.waiting?.reason === 'CreateContainerConfigError', 5000, 'config error');
    expect(worker.status().phase).toBe('Pending');
    configMaps['late'] = { mode: 'fast' };
    await waitFor(() => worker.status().phase === 'Running', 5000, 'running');
  });

  it('re-adopts running containers after an agent restart without restarting them', async () => {
    const pod = makePod({ containers: [web()] });
    const first = run(pod);
    await waitFor(() => first.worker.status().phase === 'Running', 10_000, 'running');
    const original = runtime.list(pod.metadata.uid)[0];
    first.worker.detach();
    workers.splice(workers.indexOf(first.worker), 1);
    await runtime.close();

    runtime = new ProcessRuntime({ rootDirectory: root, env: testEnv(), adoptedPollMs: 50 });
    await runtime.recover();
    const second = run(pod);
    await second.worker.idle();
    expect(second.worker.status().containerStatuses[0]).toMatchObject({ restartCount: 0, state: { running: {} } });
    expect(runtime.list(pod.metadata.uid)).toEqual([expect.objectContaining({ id: original?.id, pid: original?.pid, adopted: true })]);
    // A crash of the adopted process is noticed (by polling /proc) and restarted by policy.
    process.kill(original?.pid ?? 0, 'SIGKILL');
    await waitFor(() => second.worker.status().containerStatuses[0]?.restartCount === 1 && second.worker.status().containerStatuses[0]?.state.running, 10_000, 'restart after adopted crash');
  });
});

async function makeRoot(pod: Pod, name: string): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  const directory = containerRoot(pod, name);
  await mkdir(directory, { recursive: true });
  return directory;
}

