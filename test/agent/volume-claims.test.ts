import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/index.ts';
import { ClaimCache, setUpVolumes, VolumeJanitor, volumesDirectoryAnnotation, type Pod } from '../../agent/index.ts';
import { volumesDirectoryAnnotation as provisionerAnnotation } from '../../control-plane/controllers/index.ts';
import type { VolumesResolveResult } from '../../control-plane/nats/index.ts';
import { lookups, makeTempDirectory, removeDirectory } from './helpers.ts';
import { ManualEnv } from './manual-env.ts';

let directory: string;

beforeEach(async () => {
  directory = await makeTempDirectory();
});

afterEach(async () => {
  await removeDirectory(directory);
});

const bound = (path: string): VolumesResolveResult => ({ found: true, bound: true, volumeName: 'pvc-1', source: 'hostPath', path, hostPathType: 'DirectoryOrCreate' });

describe('persistentVolumeClaim volumes', () => {
  it('announces the same volumes-directory annotation the local-path provisioner reads', () => {
    expect(volumesDirectoryAnnotation).toBe(provisionerAnnotation);
  });

  it('resolves a bound claim once, and asks again about one that is not bound yet', async () => {
    const answers: VolumesResolveResult[] = [
      { found: true, bound: false, volumeName: '', source: '', path: '', hostPathType: '' },
      bound('/data/volumes/pvc-1'),
    ];
    let asked = 0;
    const cache = new ClaimCache({ resolveVolume: async () => {
      asked++;
      return answers.shift() ?? bound('/unexpected');
    } });
    const references = [{ namespace: 'default', claimName: 'data' }];
    await expect(cache.ensure(references)).rejects.toThrow('persistentvolumeclaim "data" is not bound yet');
    await cache.ensure(references);
    await cache.ensure(references);
    expect(asked).toBe(2);
    expect(cache.claim('default', 'data')).toMatchObject({ bound: true, path: '/data/volumes/pvc-1' });
    const missing = new ClaimCache({ resolveVolume: async () => ({ found: false, bound: false, volumeName: '', source: '', path: '', hostPathType: '' }) });
    await expect(missing.ensure(references)).rejects.toThrow('persistentvolumeclaim "data" not found');
  });

  it('mounts a bound hostPath volume (created when missing) and refuses what it cannot mount', async () => {
    const path = join(directory, 'volumes', 'pvc-1');
    const pod = { metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers: [], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] } } as unknown as Pod;
    const claims = (volume: ReturnType<typeof bound> | undefined) => ({ ...lookups(), claim: () => volume });
    const setup = await setUpVolumes(pod, join(directory, 'pod'), claims(bound(path)));
    expect(setup).toMatchObject({ ok: true });
    expect(setup.ok && setup.paths.get('data')).toBe(path);
    expect((await stat(path)).isDirectory()).toBe(true);
    expect(await setUpVolumes(pod, join(directory, 'pod'), claims(undefined))).toEqual({ ok: false, message: 'volume "data": persistentvolumeclaim "data" not found' });
    expect(await setUpVolumes(pod, join(directory, 'pod'), claims({ ...bound(''), source: '', volumeName: 'nfs-1' }))).toEqual({ ok: false, message: 'volume "data": volume "nfs-1" is not a hostPath or local volume; the process runtime cannot mount it' });
    expect(await setUpVolumes(pod, join(directory, 'pod'), claims({ ...bound(join(directory, 'absent')), source: 'local' }))).toMatchObject({ ok: false });
  });
});

describe('VolumeJanitor', () => {
  it('removes only directories no PersistentVolume names, and only after a complete list', async () => {
    const volumes = join(directory, 'volumes');
    for (const name of ['pvc-kept', 'pvc-gone', 'Not_A_PV_Name']) await mkdir(join(volumes, name), { recursive: true });
    await writeFile(join(volumes, 'stray-file'), 'x');
    let answer: { names: string[]; complete: boolean } | Error = { names: ['pvc-kept'], complete: false };
    const janitor = new VolumeJanitor(volumes, { listVolumes: async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    } }, new ManualEnv(), silentLogger);
    expect(await janitor.sweep()).toEqual([]);
    answer = new Error('no answer');
    expect(await janitor.sweep()).toEqual([]);
    answer = { names: ['pvc-kept'], complete: true };
    expect(await janitor.sweep()).toEqual(['pvc-gone']);
    expect((await readdir(volumes)).sort()).toEqual(['Not_A_PV_Name', 'pvc-kept', 'stray-file']);
  });
});
