/**
 * Two homelab failures on one 3-replica cluster with the Kubernetes API, driven by kubectl:
 * every VM losing power at once (SIGKILL of all three, then all started) comes back with no
 * manual step; and a backup (`flotilla snapshot save`) restored into wiped data directories
 * (`flotilla snapshot restore` on each member) is a cluster where kubectl, with the kubeconfig
 * it had, sees every object. (Damaged files: test/store/snapshot-restore.test.ts.)
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClusterHarness } from './api-cluster-harness.ts';
import { flotilla, leaderAmong, waitFor } from './homelab-helpers.ts';

describe('whole-cluster reboot and snapshot restore, seen through kubectl', () => {
  let harness: ApiClusterHarness;
  let backups: string;

  beforeAll(async () => {
    harness = await ApiClusterHarness.start();
    backups = await mkdtemp(join(tmpdir(), 'flotilla-backups-'));
    await harness.kubectlOk(['create', 'namespace', 'homelab']);
    await harness.kubectlOk(['create', 'configmap', 'before-reboot', '-n', 'homelab', '--from-literal=answer=42']);
  }, 90_000);

  afterAll(async () => {
    await harness?.stop();
    if (backups !== undefined) await rm(backups, { recursive: true, force: true });
  }, 30_000);

  /** kubectl until it succeeds (the API replicas come up after the Raft leader). */
  const kubectlEventually = (args: string[], timeoutMs = 45_000): Promise<string> =>
    waitFor(`kubectl ${args.join(' ')}`, timeoutMs, async () => {
      const result = await harness.kubectl(args);
      return result.code === 0 ? result.stdout : null;
    });

  it('all three killed at once, then started: the cluster comes back by itself, objects kept, writes work', async () => {
    await Promise.all(harness.cluster.members.map((member) => member.process.kill()));
    for (const member of harness.cluster.members) member.process.start();
    await leaderAmong(harness.cluster.clientEndpoints());
    expect(await kubectlEventually(['get', 'configmap', 'before-reboot', '-n', 'homelab', '-o', 'jsonpath={.data.answer}'])).toBe('42');
    await kubectlEventually(['create', 'configmap', 'after-reboot', '-n', 'homelab', '--from-literal=ok=yes']);
    // Every replica serves the API again, not only the first.
    for (const context of harness.contexts) {
      expect(await waitFor(`the API on ${context}`, 45_000, async () => {
        const result = await harness.kubectl(['--context', context, 'get', 'configmap', 'after-reboot', '-n', 'homelab', '-o', 'name']);
        return result.code === 0 ? result.stdout.trim() : null;
      })).toBe('configmap/after-reboot');
    }
  }, 120_000);

  it('snapshot save → stop and wipe every replica → snapshot restore on each → kubectl sees every object', async () => {
    const file = join(backups, 'cluster.snapshot');
    const saved = await flotilla(['snapshot', 'save', file, '--endpoints', harness.cluster.clientEndpoints().join(',')]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(saved.stdout).toMatch(/sha256\s+[0-9a-f]{64}/);
    const checked = await flotilla(['snapshot', 'status', file]);
    expect(checked.stdout).toContain('Snapshot is intact');

    await Promise.all(harness.cluster.members.map((member) => member.process.stop()));
    const initialCluster = harness.cluster.members.map((member) => `${member.name}=127.0.0.1:${member.peerPort}`).join(',');
    await Promise.all(harness.cluster.members.map(async (member) => {
      await rm(member.dataDir, { recursive: true, force: true });
      const restored = await flotilla(['snapshot', 'restore', file, '--data-dir', member.dataDir, '--name', member.name, '--initial-cluster', initialCluster]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toContain(`as member ${member.name} of a new cluster`);
    }));
    expect((await readdir(harness.cluster.members[0]?.dataDir ?? '')).sort()).toEqual(['db', 'member.json', 'snapshots']);

    for (const member of harness.cluster.members) member.process.start();
    await leaderAmong(harness.cluster.clientEndpoints());
    const names = await kubectlEventually(['get', 'configmaps', '-n', 'homelab', '-o', 'jsonpath={.items[*].metadata.name}']);
    expect(names.split(' ')).toEqual(expect.arrayContaining(['after-reboot', 'before-reboot']));
    expect(await kubectlEventually(['get', 'configmap', 'before-reboot', '-n', 'homelab', '-o', 'jsonpath={.data.answer}'])).toBe('42');
    await kubectlEventually(['create', 'configmap', 'after-restore', '-n', 'homelab', '--from-literal=ok=yes']);
  }, 150_000);
});
