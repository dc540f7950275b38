/**
 * The OCI runtime on a real image (built locally by `podman import`, no registry), run by crun or
 * runc: env, host port, a configMap volume at its mountPath, logs, exec, graceful stop, a
 * liveness restart through the pod worker, re-adoption after an agent restart, OOMKilled.
 * Skipped, with the reason, where crun/runc, podman or root are missing.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectHostIsolation, detectOciTools, isAgentError, OciRuntime, PodWorker, resolveMounts, setUpVolumes, type Container, type Pod, type PodStatus, type RuntimeContainer, type StartContainerRequest } from '../../agent/index.ts';
import { buildTestImage } from './oci-test-image.ts';
import { collect, httpGet, lookups, makePod, makeTempDirectory, removeDirectory, testEnv, waitFor } from './helpers.ts';

const detection = await detectOciTools();
const isolation = await detectHostIsolation();
const skipReason = detection.ok ? '' : ` (skipped: ${detection.reason})`;

let root: string;
let image: string;
let runtime: OciRuntime;
let uidCounter = 0;
const started: RuntimeContainer[] = [];
const workers: PodWorker[] = [];
const settings = lookups({ settings: { color: 'blue' } });

function newRuntime(): OciRuntime {
  if (!detection.ok) throw new Error(detection.reason);
  return new OciRuntime({ rootDirectory: root, env: testEnv(), tools: detection.tools, isolation, adoptedPollMs: 50, followPollMs: 20 });
}

const webSpec = (fields: Partial<Container> = {}): Container => ({
  name: 'web', image, ports: [{ name: 'http', containerPort: 8080 }], volumeMounts: [{ name: 'config', mountPath: '/etc/config', readOnly: true }], ...fields,
});

function webPod(fields: Partial<Container> = {}): Pod {
  return makePod({ containers: [webSpec(fields)], volumes: [{ name: 'config', configMap: { name: 'settings' } }], terminationGracePeriodSeconds: 10 }, 'web', `oci-${process.pid}-${uidCounter++}`);
}

/** A start request as the pod worker builds it, with the configMap volume projected for real. */
async function request(fields: Partial<Container> = {}, env: ReadonlyMap<string, string> = new Map()): Promise<StartContainerRequest> {
  const pod = webPod(fields);
  const container = pod.spec.containers[0];
  if (container === undefined) throw new Error('no container');
  const volumes = await setUpVolumes(pod, runtime.podDirectory(pod.metadata.uid), settings);
  if (!volumes.ok) throw new Error(volumes.message);
  const mounts = resolveMounts(container, volumes.paths);
  if ('missing' in mounts) throw new Error(mounts.missing);
  return {
    podUid: pod.metadata.uid, podName: 'web', podNamespace: 'default', containerName: 'web', instance: 0, argv: [...(container.command ?? []), ...(container.args ?? [])],
    env, ports: container.ports ?? [], mounts, image,
    ...(container.command === undefined ? {} : { command: container.command }),
    ...(container.args === undefined ? {} : { args: container.args }),
    ...(container.resources === undefined ? {} : { resources: container.resources }),
  };
}

async function start(fields: Partial<Container> = {}, env: ReadonlyMap<string, string> = new Map()): Promise<RuntimeContainer> {
  const container = await runtime.start(await request(fields, env));
  started.push(container);
  return container;
}

async function listening(container: RuntimeContainer): Promise<number> {
  const port = container.ports[0]?.hostPort ?? 0;
  await waitFor(async () => (await httpGet(port, '/healthz').catch(() => undefined))?.status === 200, 15_000, 'the server in the container');
  return port;
}

async function mounted(path: string): Promise<boolean> {
  return (await readFile('/proc/self/mounts', 'utf8')).includes(` ${path} `);
}

describe.skipIf(!detection.ok)(`OCI runtime on a locally built image${skipReason}`, () => {
  beforeAll(async () => {
    if (!detection.ok) return;
    root = await makeTempDirectory('flotilla-oci-');
    image = await buildTestImage(detection.tools.podman);
    runtime = newRuntime();
  }, 120_000);

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop(0.5).catch(() => undefined);
    for (const container of started.splice(0)) {
      if (runtime.status(container.id)?.exit === undefined) await runtime.stop(container.id, 0).catch(() => undefined);
      await runtime.removePod(container.podUid).catch(() => undefined);
    }
  });

  afterAll(async () => {
    await runtime?.close();
    if (root !== undefined) await removeDirectory(root);
  });

  it('runs the image: its ENTRYPOINT and CMD, image env under spec env, the host port as PORT, a configMap volume at its mountPath, its log', async () => {
    const container = await start({}, new Map([['COLOR', 'red'], ['GREETING', 'from-the-spec']]));
    expect(container).toMatchObject({ runtimeName: 'oci', imageID: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string });
    const port = await listening(container);
    const env = JSON.parse((await httpGet(port, '/env')).body) as Record<string, string>;
    expect(env).toMatchObject({ GREETING: 'from-the-spec', COLOR: 'red', PORT: String(port), FLOTILLA_PORT_HTTP: String(port), HOSTNAME: 'web', FLOTILLA_VOLUME_CONFIG: '/etc/config', PATH: '/usr/bin:/bin' });
    expect((await httpGet(port, '/file?path=/etc/config/color')).body).toBe('blue');
    // Its own root filesystem: the image's /app, not the host's.
    expect((await httpGet(port, '/file?path=/app/server.mjs')).status).toBe(200);
    const lines = await collect(runtime.logs(container.podUid, 'web'), 2);
    expect(lines[0]).toBe(`listening ${port}`);
  }, 60_000);

  it('execs in the container (its filesystem, the read-only volume, exit codes, stdin)', async () => {
    const container = await start();
    await listening(container);
    expect(await runtime.exec(container.id, ['cat', '/etc/config/color'], { timeoutMs: 5_000 })).toMatchObject({ exitCode: 0, stdout: 'blue' });
    expect(await runtime.exec(container.id, ['sh', '-c', 'echo out; echo err >&2; exit 3'], { timeoutMs: 5_000 })).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    const refused = await runtime.exec(container.id, ['sh', '-c', 'echo x > /etc/config/new'], { timeoutMs: 5_000 });
    expect(refused.exitCode).not.toBe(0);
    const streamed = runtime.execStream(container.id, ['tr', 'a-z', 'A-Z'], { stdin: true, tty: false });
    streamed.stdin?.end('through stdin\n');
    const output = collect((async function* () {
      for await (const chunk of streamed.stdout) yield String(chunk);
    })());
    expect(await streamed.exited).toBe(0);
    expect((await output).join('')).toBe('THROUGH STDIN\n');
  }, 60_000);

  it('stops gracefully (SIGTERM, the process exits 0) and with SIGKILL after the grace period; the root filesystem is unmounted', async () => {
    const polite = await start();
    await listening(polite);
    const politeExit = await runtime.stop(polite.id, 5_000);
    expect(politeExit).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect((await collect(runtime.logs(polite.podUid, 'web'))).join('\n')).toContain('got SIGTERM');
    const stubborn = await start({}, new Map([['IGNORE_SIGTERM', '1']]));
    await listening(stubborn);
    const stubbornExit = await runtime.stop(stubborn.id, 300);
    expect(stubbornExit).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(await mounted(`${runtime.podDirectory(stubborn.podUid)}/containers/web/bundle-0/rootfs`)).toBe(false);
  }, 60_000);

  it('re-adopts a running container after an agent restart without restarting it', async () => {
    const container = await start();
    const port = await listening(container);
    await runtime.close();
    runtime = newRuntime();
    const adopted = (await runtime.recover()).find((candidate) => candidate.id === container.id);
    expect(adopted).toMatchObject({ adopted: true, pid: container.pid, runtimeName: 'oci' });
    expect(adopted?.exit).toBeUndefined();
    expect((await httpGet(port, '/healthz')).status).toBe(200);
    expect(await runtime.exec(container.id, ['cat', '/etc/config/color'], { timeoutMs: 5_000 })).toMatchObject({ stdout: 'blue' });
    expect(await runtime.stop(container.id, 5_000)).toMatchObject({ exitCode: 0 });
  }, 60_000);

  it('restarts a container whose liveness probe fails, through the pod worker', async () => {
    const pod = webPod({ livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 0.2, failureThreshold: 1 }, readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 0.2 } });
    const statuses: PodStatus[] = [];
    const worker = new PodWorker({ pod, runtime, env: testEnv(), lookups: settings, onStatus: (status) => void statuses.push(status), backoff: { initialMs: 200, maxMs: 800 } });
    workers.push(worker);
    worker.start();
    const ready = await waitFor(() => statuses.find((status) => status.containerStatuses[0]?.ready === true), 30_000, 'Ready');
    expect(ready.containerStatuses[0]?.containerID).toMatch(/^oci:\/\//);
    const port = runtime.list(pod.metadata.uid)[0]?.ports[0]?.hostPort ?? 0;
    await httpGet(port, '/sick');
    const restarted = await waitFor(() => statuses.find((status) => (status.containerStatuses[0]?.restartCount ?? 0) >= 1 && status.containerStatuses[0]?.ready === true), 30_000, 'a restart');
    expect(restarted.containerStatuses[0]?.lastState.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  }, 60_000);

  it.skipIf(isolation.cgroups === undefined)('enforces the memory limit: a container past it is OOMKilled (137)', async () => {
    const container = await start({ command: ['/usr/bin/node', '-e', 'const kept = []; for (;;) kept.push(Buffer.alloc(1 << 24, 1))'], ports: [], resources: { limits: { memory: '96Mi' } } });
    expect(container.resources).toEqual({ limits: { memory: '96Mi' } });
    const exit = await waitFor(() => runtime.status(container.id)?.exit, 30_000, 'the OOM kill');
    expect(exit).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  }, 60_000);

  it('refuses an image that is not in the local store, saying so', async () => {
    const missing = { ...(await request()), image: 'localhost/flotilla-no-such-image:1' };
    const error: unknown = await runtime.start(missing).catch((caught: unknown) => caught);
    expect(isAgentError(error, 'AGENT_IMAGE_NOT_PRESENT')).toBe(true);
    expect(String(error)).toContain('the agent does not pull');
  }, 60_000);
});
