import { describe, expect, it } from 'vitest';
import { chooseCgroupDriver, parseCgroupMounts, parseOwnCgroups } from '../../agent/cgroup-detect.ts';
import { cgroupWrites, limitsFor, parseOomKills, sharesToWeight } from '../../agent/cgroup-limits.ts';
import { buildOciEnv, ociArgv } from '../../agent/oci-env.ts';
import { parseInspect, type ImageConfig } from '../../agent/oci-images.ts';
import { wrapperArgv } from '../../agent/process-spawn.ts';

const image: ImageConfig = { env: ['PATH=/opt/bin', 'FROM_IMAGE=1'], entrypoint: ['/entry'], cmd: ['serve', '--fast'], workingDir: '/srv', user: '', stopSignal: '' };

describe('cgroup limits (kubelet\'s mapping)', () => {
  it('maps limits to quota, shares and memory, and reports what it enforces', () => {
    const limits = limitsFor({ limits: { cpu: '1500m', memory: '128Mi' }, requests: { cpu: '250m', memory: '64Mi' } });
    expect(limits).toEqual({ memoryBytes: 134_217_728, cpuQuotaMicros: 150_000, cpuShares: 256, enforced: { limits: { cpu: '1500m', memory: '128Mi' }, requests: { cpu: '250m' } } });
    expect(cgroupWrites(1, limits).map((write) => `${write.controller}/${write.file}=${write.value}`)).toEqual([
      'memory/memory.limit_in_bytes=134217728', 'cpu/cpu.cfs_period_us=100000', 'cpu/cpu.cfs_quota_us=150000', 'cpu/cpu.shares=256',
    ]);
    expect(cgroupWrites(2, limits).map((write) => `${write.file}=${write.value}`)).toEqual(['memory.max=134217728', 'memory.swap.max=0', 'cpu.max=150000 100000', `cpu.weight=${sharesToWeight(256)}`]);
  });

  it('defaults the cpu request to the limit, floors quota at 1 ms and shares at 2, and writes nothing for no resources', () => {
    expect(limitsFor({ limits: { cpu: '1m' } })).toMatchObject({ cpuQuotaMicros: 1000, cpuShares: 2, enforced: { limits: { cpu: '1m' }, requests: { cpu: '1m' } } });
    expect(limitsFor(undefined)).toEqual({ enforced: {} });
    expect(cgroupWrites(1, limitsFor(undefined))).toEqual([]);
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(262_144)).toBe(10_000);
  });

  it('reads the OOM kill counter of memory.oom_control and memory.events', () => {
    expect(parseOomKills('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n')).toBe(2);
    expect(parseOomKills('low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n')).toBe(1);
    expect(parseOomKills('')).toBe(0);
  });
});

describe('cgroup driver detection', () => {
  const mounts = [
    'cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0',
    'cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0',
    'cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0',
  ].join('\n');

  it('uses v1 memory and cpu under the agent\'s own cgroups on a hybrid host', () => {
    const own = parseOwnCgroups('4:memory:/supervisor/agent\n2:cpu,cpuacct:/\n0::/\n');
    expect(chooseCgroupDriver(parseCgroupMounts(mounts), own, ['hugetlb'])).toEqual({ version: 1, memory: '/sys/fs/cgroup/memory/supervisor/agent/flotilla', cpu: '/sys/fs/cgroup/cpu,cpuacct/flotilla' });
  });

  it('uses v2 when the unified hierarchy has memory and cpu, and nothing otherwise', () => {
    const unified = parseCgroupMounts('cgroup2 /sys/fs/cgroup cgroup2 rw,nsdelegate 0 0');
    const own = parseOwnCgroups('0::/system.slice/flotilla-agent.service\n');
    expect(chooseCgroupDriver(unified, own, ['cpuset', 'cpu', 'io', 'memory', 'pids'])).toEqual({ version: 2, root: '/sys/fs/cgroup/system.slice/flotilla-agent.service/flotilla' });
    expect(chooseCgroupDriver(unified, own, ['pids'])).toBeUndefined();
  });
});

describe('OCI command and environment (Kubernetes\' rules)', () => {
  const env = { PORT: '31000' };
  it('command replaces ENTRYPOINT and drops CMD; args replace CMD; only the spec\'s words are expanded', () => {
    expect(ociArgv({ argv: [] }, image, env)).toEqual(['/entry', 'serve', '--fast']);
    expect(ociArgv({ argv: [], args: ['--port=$(PORT)'] }, image, env)).toEqual(['/entry', '--port=31000']);
    expect(ociArgv({ argv: [], command: ['/bin/sh'] }, image, env)).toEqual(['/bin/sh']);
    expect(ociArgv({ argv: [], command: ['/bin/sh'], args: ['-c', 'echo $(PORT)'] }, image, env)).toEqual(['/bin/sh', '-c', 'echo 31000']);
  });

  it('layers defaults, the image\'s ENV, HOSTNAME, the spec\'s env and the agent\'s ports and volume paths', () => {
    const built = buildOciEnv({
      image, podName: 'web-1', home: '/root', resolved: new Map([['FROM_IMAGE', 'overridden'], ['PORT', 'ignored']]),
      ports: [{ name: 'http', containerPort: 8080, hostPort: 31000, protocol: 'TCP' }], mounts: [{ volumeName: 'my-data', mountPath: '/data', hostPath: '/var/x', readOnly: false }],
    });
    expect(built).toEqual({ PATH: '/opt/bin', HOME: '/root', FROM_IMAGE: 'overridden', HOSTNAME: 'web-1', PORT: '31000', FLOTILLA_PORT_8080: '31000', FLOTILLA_PORT_HTTP: '31000', FLOTILLA_VOLUME_MY_DATA: '/data' });
  });

  it('reads podman image inspect output', () => {
    const parsed = parseInspect(JSON.stringify([{ Id: 'ab12', Config: { Env: ['A=1'], Cmd: ['run'], StopSignal: 'SIGQUIT' } }]), 'x');
    expect(parsed).toEqual({ id: 'sha256:ab12', config: { env: ['A=1'], entrypoint: [], cmd: ['run'], workingDir: '', user: '', stopSignal: 'SIGQUIT' } });
  });
});

describe('the container wrapper', () => {
  it('joins cgroups and makes mounts before the command, in a new mount namespace in root mode', () => {
    const argv = wrapperArgv(['sleep', '1'], '/x/exit-0', { cgroupProcsFiles: ['/cg/memory/cgroup.procs'], binds: [{ source: '/v', target: '/data', readOnly: true }], unshare: '/usr/bin/unshare', mount: '/usr/bin/mount' });
    expect(argv.slice(0, 4)).toEqual(['/usr/bin/unshare', '--mount', '--propagation', 'private']);
    expect(argv.slice(7)).toEqual(['flotilla-container', '/x/exit-0', '1', '/cg/memory/cgroup.procs', '1', '/usr/bin/mount', '/v', '/data', 'ro', 'sleep', '1']);
  });
});
