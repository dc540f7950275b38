import { lstat, readFile, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveMounts, setUpVolumes, StatusEmitter, writeProjection, type PodStatus } from '../../agent/index.ts';
import { lookups, makePod, makeTempDirectory, removeDirectory } from './helpers.ts';

let directory: string;
beforeEach(async () => {
  directory = await makeTempDirectory();
});
afterEach(async () => {
  await removeDirectory(directory);
});

describe('atomic projection (kubelet AtomicWriter)', () => {
  it('writes through a ..data symlink, swaps it on change, and removes stale keys', async () => {
    const target = join(directory, 'vol');
    expect(await writeProjection(target, new Map([['a', { content: '1', mode: 0o644 }], ['dir/b', { content: '2', mode: 0o600 }]]))).toBe(true);
    const firstPayload = await readlink(join(target, '..data'));
    expect(await readlink(join(target, 'a'))).toBe('..data/a');
    expect(await readFile(join(target, 'dir/b'), 'utf8')).toBe('2');
    expect((await stat(join(target, 'dir/b'))).mode & 0o777).toBe(0o600);
    expect(await writeProjection(target, new Map([['a', { content: '1', mode: 0o644 }], ['dir/b', { content: '2', mode: 0o600 }]]))).toBe(false);
    expect(await writeProjection(target, new Map([['a', { content: 'changed', mode: 0o644 }]]))).toBe(true);
    expect(await readlink(join(target, '..data'))).not.toBe(firstPayload);
    expect(await readFile(join(target, 'a'), 'utf8')).toBe('changed');
    const names = await readdir(target);
    expect(names.filter((name) => !name.startsWith('..'))).toEqual(['a']);
    expect(names).not.toContain(firstPayload);
  });
});

describe('setUpVolumes', () => {
  it('materialises emptyDir, configMap (items, modes), secret, hostPath; resolves mounts with subPath', async () => {
    const pod = makePod({
      containers: [{ name: 'app', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }, { name: 'scratch', mountPath: '/tmp/x', subPath: 'sub' }] }],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'settings', items: [{ key: 'k1', path: 'conf/one.txt', mode: 0o640 }] } },
        { name: 'creds', secret: { secretName: 'token', defaultMode: 0o400 } },
        { name: 'host', hostPath: { path: join(directory, 'host-dir'), type: 'DirectoryOrCreate' } },
        { name: 'maybe', configMap: { name: 'absent', optional: true } },
      ],
    });
    const result = await setUpVolumes(pod, join(directory, 'pod'), lookups({ settings: { k1: 'one', k2: 'two' } }, { token: { token: 's3cret' } }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(await readFile(join(result.paths.get('cfg') ?? '', 'conf/one.txt'), 'utf8')).toBe('one');
    expect((await stat(join(result.paths.get('cfg') ?? '', 'conf/one.txt'))).mode & 0o777).toBe(0o640);
    await expect(stat(join(result.paths.get('cfg') ?? '', 'k2'))).rejects.toThrow();
    expect(await readFile(join(result.paths.get('creds') ?? '', 'token'), 'utf8')).toBe('s3cret');
    expect((await stat(join(result.paths.get('creds') ?? '', 'token'))).mode & 0o777).toBe(0o400);
    expect((await lstat(join(directory, 'host-dir'))).isDirectory()).toBe(true);
    expect((await readdir(result.paths.get('maybe') ?? '')).filter((name) => !name.startsWith('..'))).toEqual([]);
    const container = pod.spec.containers[0];
    if (container === undefined) throw new Error('no container');
    expect(resolveMounts(container, result.paths)).toEqual([
      { volumeName: 'cfg', mountPath: '/etc/cfg', hostPath: result.paths.get('cfg'), readOnly: false },
      { volumeName: 'scratch', mountPath: '/tmp/x', hostPath: join(result.paths.get('scratch') ?? '', 'sub'), readOnly: false },
    ]);
  });

  it('fails on a missing ConfigMap, key or hostPath that must exist', async () => {
    const missing = await setUpVolumes(makePod({ containers: [], volumes: [{ name: 'cfg', configMap: { name: 'absent' } }] }), directory, lookups());
    expect(missing).toMatchObject({ ok: false, message: expect.stringContaining('not found') });
    const key = await setUpVolumes(makePod({ containers: [], volumes: [{ name: 'cfg', configMap: { name: 'c', items: [{ key: 'x', path: 'x' }] } }] }), directory, lookups({ c: {} }));
    expect(key.ok).toBe(false);
    const escape = await setUpVolumes(makePod({ containers: [], volumes: [{ name: 'cfg', configMap: { name: 'c', items: [{ key: 'x', path: '../x' }] } }] }), directory, lookups({ c: { x: '1' } }));
    expect(escape.ok).toBe(false);
    const host = await setUpVolumes(makePod({ containers: [], volumes: [{ name: 'h', hostPath: { path: join(directory, 'nope'), type: 'Directory' } }] }), directory, lookups());
    expect(host.ok).toBe(false);
  });
});

describe('StatusEmitter', () => {
  it('delivers one at a time, coalesces bursts to the latest and skips repeats', async () => {
    const delivered: string[] = [];
    let release: () => void = () => undefined;
    const emitter = new StatusEmitter(async (status) => {
      delivered.push(status.phase);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const status = (phase: PodStatus['phase']): PodStatus => ({ phase, conditions: [], hostIP: '', podIP: '', hostIPs: [], podIPs: [], initContainerStatuses: [], containerStatuses: [] });
    emitter.offer(status('Pending'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    emitter.offer(status('Running'));
    emitter.offer(status('Failed'));
    emitter.offer(status('Succeeded'));
    release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    emitter.offer(status('Succeeded'));
    await emitter.flush();
    expect(delivered).toEqual(['Pending', 'Succeeded']);
  });
});
