/**
 * `runServer` in-process, one member (leader at once), configured from a YAML file with a flag
 * override: /metrics and /healthz over real HTTP, writes through etcdctl, clean stop.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger, findFreePorts } from '../../common/index.ts';
import { ConfigError, loadServerConfig, runServer } from '../../control-plane/server/index.ts';
import { etcdctl } from '../store/etcd-api-harness.ts';

const host = '127.0.0.1';

describe('flotilla server: config file, /metrics and /healthz', () => {
  const directories: string[] = [];

  afterAll(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  it('loads YAML settings, lets flags override them, serves metrics and stops cleanly', async () => {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-server-metrics-'));
    directories.push(root);
    const [peer, client, metrics] = (await findFreePorts(3)) as [number, number, number];
    const configFile = join(root, 'server.yaml');
    await writeFile(
      configFile,
      [
        'name: solo',
        `data-dir: ${join(root, 'data')}`,
        `peer-listen: ${host}:${peer}`,
        `client-listen: ${host}:1`,
        `initial-cluster: solo=${host}:${peer}`,
        'tick-ms: 20',
        `metrics-listen: ${host}:${metrics}`,
      ].join('\n'),
    );
    const config = await loadServerConfig({ 'client-listen': `${host}:${client}` }, configFile);
    expect(config.clientListen.port).toBe(client);
    expect(config.tickMs).toBe(20);
    expect(config.electionTicks).toBe(6);

    let stop: () => void = () => undefined;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const exited = runServer(config, { logger: silentLogger, stopSignal });
    const endpoint = `${host}:${client}`;
    for (let attempt = 0; attempt < 50; attempt++) {
      if ((await etcdctl(endpoint, ['put', 'm/k', 'v'])).code === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await etcdctl(endpoint, ['get', 'm/k', '--print-value-only'])).stdout.trim()).toBe('v');

    const health = await fetch(`http://${host}:${metrics}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ health: true, role: 'leader', leader: 'solo' });
    const text = await (await fetch(`http://${host}:${metrics}/metrics`)).text();
    for (const name of [
      'flotilla_raft_leader_changes_total 1',
      'flotilla_raft_proposals_committed_total',
      'flotilla_raft_proposals_failed_total 0',
      'flotilla_raft_apply_lag_entries 0',
      'flotilla_raft_fsync_duration_seconds_bucket',
      'flotilla_raft_fsync_duration_seconds_count',
      'flotilla_raft_is_leader 1',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(name);
    }
    expect(Number(/flotilla_raft_proposals_committed_total (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect((await fetch(`http://${host}:${metrics}/nope`)).status).toBe(404);

    stop();
    expect(await exited).toBe(0);
    await expect(fetch(`http://${host}:${metrics}/healthz`)).rejects.toThrow();
  });

  it('reports every configuration problem at once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'flotilla-server-config-'));
    directories.push(root);
    const configFile = join(root, 'bad.yaml');
    await writeFile(configFile, 'name: a\nbogus-key: 1\n');
    await expect(loadServerConfig({}, configFile)).rejects.toThrow(/unknown key "bogus-key"/);
    const error = await loadServerConfig({ name: 'a', 'tick-ms': 'fast', 'election-ticks': 2, 'heartbeat-ticks': 3 }, null).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('--data-dir is required');
    expect(problems).toContain('--tick-ms: expected a whole number');
    expect(problems).toContain('--heartbeat-ticks (3) must be smaller than --election-ticks (2)');
    expect(problems).toContain('--initial-cluster is required');
  });
});
