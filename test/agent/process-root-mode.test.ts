/**
 * The process runtime in root mode (the agent as root on Linux): each container in its own mount
 * namespace with its volumes bind-mounted at their mountPath, and in its own cgroup with its cpu
 * and memory limits. Skipped where the host does not allow it (not root, no util-linux, no
 * writable cgroups), with the reason.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { detectHostIsolation, ProcessRuntime, type HostIsolation, type RuntimeContainer, type StartContainerRequest } from '../../agent/index.ts';
import { makeTempDirectory, removeDirectory, testEnv, waitFor } from './helpers.ts';

const isolation: HostIsolation = await detectHostIsolation();
const noNamespaces = isolation.mountNamespace === false;
const noCgroups = isolation.cgroups === undefined;
const why = isolation.notes.join('; ');

let root: string;
let volume: string;
let runtime: ProcessRuntime;
const started: RuntimeContainer[] = [];

function request(fields: Partial<StartContainerRequest>): StartContainerRequest {
  return { podUid: `root-${started.length}-${process.pid}`, podName: 'rooted', podNamespace: 'default', containerName: 'main', instance: 0, argv: ['sleep', '30'], env: new Map(), ports: [], mounts: [], ...fields };
}

async function start(fields: Partial<StartContainerRequest>, on: ProcessRuntime = runtime): Promise<RuntimeContainer> {
  const container = await on.start(request(fields));
  started.push(container);
  return container;
}

async function exited(container: RuntimeContainer, on: ProcessRuntime = runtime): Promise<NonNullable<RuntimeContainer['exit']>> {
  return await waitFor(() => on.status(container.id)?.exit, 20_000, `${container.id} to exit`);
}

/** The directory of a process's cgroup in the hierarchy that carries `controller` (v1), or the unified one. */
async function cgroupDirectory(pid: number, controller: string): Promise<string> {
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).trim().split('\n');
  const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes(controller));
  if (v1 !== undefined && isolation.cgroups?.version === 1) return join('/sys/fs/cgroup', controller, v1.split(':')[2] ?? '');
  return join('/sys/fs/cgroup', lines.find((line) => line.startsWith('0::'))?.slice(3) ?? '');
}

beforeAll(async () => {
  root = await makeTempDirectory('flotilla-root-mode-');
  volume = join(root, 'volume');
  await mkdir(volume);
  await writeFile(join(volume, 'greeting'), 'hello from the volume\n');
  runtime = new ProcessRuntime({ rootDirectory: join(root, 'agent'), env: testEnv(), isolation, adoptedPollMs: 50 });
});

afterEach(async () => {
  for (const container of started.splice(0)) {
    if (runtime.status(container.id)?.exit === undefined) await runtime.stop(container.id, 0).catch(() => undefined);
  }
});

afterAll(async () => {
  await runtime?.close();
  await removeDirectory(root);
  // The mount points root mode created on the host (empty directories).
  await removeDirectory(`/tmp/flotilla-root-mode-${process.pid}`);
});

describe.skipIf(noNamespaces)(`process runtime, root mode: mount namespaces${noNamespaces ? ` (skipped: ${why})` : ''}`, () => {
  const mountPath = `/tmp/flotilla-root-mode-${process.pid}/data`;

  it('bind-mounts a volume at its mountPath: a file the container writes there appears in the volume, and exec sees the mount', async () => {
    const container = await start({
      argv: ['sh', '-c', `cat ${mountPath}/greeting > ${mountPath}/copied && exec sleep 30`],
      mounts: [{ volumeName: 'data', mountPath, hostPath: volume, readOnly: false }],
    });
    expect(await waitFor(async () => readFile(join(volume, 'copied'), 'utf8').catch(() => undefined), 10_000, 'the copy')).toBe('hello from the volume\n');
    const seen = await runtime.exec(container.id, ['cat', `${mountPath}/greeting`], { timeoutMs: 5_000 });
    expect(seen).toMatchObject({ exitCode: 0, stdout: 'hello from the volume\n' });
    // The mount is the container's own: on the host, the mount point is an empty directory.
    await expect(readFile(`${mountPath}/greeting`, 'utf8')).rejects.toThrow();
  });

  it('honours readOnly: a write to a read-only mount fails, reading works', async () => {
    const container = await start({
      argv: ['sh', '-c', `cat ${mountPath}/greeting; echo nope > ${mountPath}/refused; echo "write exit $?"; exec sleep 30`],
      mounts: [{ volumeName: 'data', mountPath, hostPath: volume, readOnly: true }],
    });
    const attempt = await runtime.exec(container.id, ['sh', '-c', `echo again > ${mountPath}/refused`], { timeoutMs: 5_000 });
    expect(attempt.exitCode).not.toBe(0);
    expect(attempt.stderr).toMatch(/Read-only file system/);
    // The relative symlink under the container's directory goes through the read-only mount too.
    const relative = await runtime.exec(container.id, ['sh', '-c', `cat .${mountPath}/greeting && echo again > .${mountPath}/refused`], { timeoutMs: 5_000 });
    expect(relative).toMatchObject({ stdout: 'hello from the volume\n' });
    expect(relative.exitCode).not.toBe(0);
    await expect(readFile(join(volume, 'refused'), 'utf8')).rejects.toThrow();
  });
});

describe.skipIf(noCgroups)(`process runtime, root mode: cgroup limits${noCgroups ? ` (skipped: ${why})` : ''}`, () => {
  it('puts the cpu limit in the container\'s cgroup and reports requests and limits as enforced', async () => {
    const container = await start({ resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m' } } });
    // start() returns once the wrapper joined its cgroups.
    expect(await readFile(`/proc/${container.pid}/cgroup`, 'utf8')).toContain(`pod-${container.podUid}/main-0`);
    expect(container.resources).toEqual({ limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m' } });
    if (isolation.cgroups?.version === 1) {
      const cpu = await cgroupDirectory(container.pid, 'cpu');
      expect((await readFile(join(cpu, 'cpu.cfs_quota_us'), 'utf8')).trim()).toBe('25000');
      expect((await readFile(join(cpu, 'cpu.cfs_period_us'), 'utf8')).trim()).toBe('100000');
      expect((await readFile(join(cpu, 'cpu.shares'), 'utf8')).trim()).toBe('102');
      const memory = await cgroupDirectory(container.pid, 'memory');
      expect((await readFile(join(memory, 'memory.limit_in_bytes'), 'utf8')).trim()).toBe(String(64 * 1024 * 1024));
    } else {
      const directory = await cgroupDirectory(container.pid, 'cpu');
      expect((await readFile(join(directory, 'cpu.max'), 'utf8')).trim()).toBe('25000 100000');
      expect((await readFile(join(directory, 'memory.max'), 'utf8')).trim()).toBe(String(64 * 1024 * 1024));
    }
    // An exec'd command counts against the same limits: it runs in the container's cgroup.
    const inside = await runtime.exec(container.id, ['cat', '/proc/self/cgroup'], { timeoutMs: 5_000 });
    expect(inside.stdout).toContain(`pod-${container.podUid}/main-0`);
  });

  it('reports a container the OOM killer ended as OOMKilled with exit code 137, and removes its cgroup', async () => {
    // tail holds its one endless line in memory: far past the 32 MiB limit.
    const container = await start({ argv: ['sh', '-c', 'head -c 512m /dev/zero | tail > /dev/null'], resources: { limits: { memory: '32Mi' } } });
    const memory = await cgroupDirectory(container.pid, 'memory');
    const exit = await exited(container);
    expect(exit).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    await expect(readFile(join(memory, 'cgroup.procs'), 'utf8')).rejects.toThrow();
  });

  it('kills what a container left behind in its cgroup, even outside its process group', async () => {
    const container = await start({ argv: ['sh', '-c', 'setsid sleep 60 & echo $! > escaped; sleep 0.2; exit 3'] });
    const exit = await exited(container);
    expect(exit).toMatchObject({ exitCode: 3, reason: 'Error' });
    const escaped = Number((await readFile(join(root, 'agent', 'pods', container.podUid, 'containers', 'main', 'root', 'escaped'), 'utf8')).trim());
    await waitFor(async () => (await readFile(`/proc/${escaped}/stat`, 'utf8').catch(() => undefined)) === undefined, 5_000, 'the escaped process to be killed');
  });

  it('re-adopts a limited container after an agent restart: it keeps running, its limits and exec still apply', async () => {
    const container = await start({ resources: { limits: { memory: '48Mi' } } });
    await runtime.close();
    runtime = new ProcessRuntime({ rootDirectory: join(root, 'agent'), env: testEnv(), isolation, adoptedPollMs: 50 });
    const [adopted] = (await runtime.recover()).filter((candidate) => candidate.id === container.id);
    expect(adopted).toMatchObject({ adopted: true, pid: container.pid, resources: { limits: { memory: '48Mi' } } });
    expect(adopted?.exit).toBeUndefined();
    const inside = await runtime.exec(container.id, ['cat', '/proc/self/cgroup'], { timeoutMs: 5_000 });
    expect(inside.stdout).toContain(`pod-${container.podUid}/main-0`);
    await runtime.stop(container.id, 1_000);
    expect(runtime.status(container.id)?.exit?.exitCode).toBe(143);
  });
});
