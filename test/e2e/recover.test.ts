/**
 * Losing quorum for good, on real processes: 3 replicas, 2 killed (one of them wiped), `flotilla
 * status` says what is missing, `flotilla recover` makes the survivor a one-member cluster, the
 * other two join again as learners (catching up by snapshot: the log is compacted every 50
 * entries) and are promoted; every key written before is still there, on every replica.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, ServerProcess, type ClusterMember } from '../../chaos/cluster/index.ts';
import { EtcdWireClient } from '../../store/index.ts';
import { clusterTokenOf, flotilla, holdsKeys, leaderAmong, memberList, putKeys, readPrefix, waitFor } from './homelab-helpers.ts';

const host = '127.0.0.1';
const snapshotArgs = ['--snapshot-entries', '20'];
const keys = 60;

describe('flotilla recover: a survivor of lost quorum becomes a new cluster, the others join again', () => {
  let cluster: ProcessCluster;
  const rejoined: ServerProcess[] = [];

  beforeAll(async () => {
    cluster = await ProcessCluster.start({ size: 3, relays: false, extraArgs: snapshotArgs });
    await leaderAmong(cluster.clientEndpoints());
    await putKeys(cluster.clientEndpoints().join(','), 'kept/', keys);
  }, 90_000);

  afterAll(async () => {
    for (const process of rejoined) await process.stop();
    await cluster?.stop();
  }, 30_000);

  const member = (name: string): ClusterMember => cluster.member(name);

  it('status names the missing voters and how many are needed once 2 of 3 are gone', async () => {
    await member('n2').process.kill();
    await member('n3').process.kill();
    await rm(member('n2').dataDir, { recursive: true, force: true });
    const result = await flotilla(['status', '--endpoints', cluster.clientEndpoints().join(','), '--timeout-ms', '1000']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('QUORUM LOST: only 1 of 3 voters answer, 2 needed');
    expect(result.stdout).toMatch(/- n2 \(http:\/\/127\.0\.0\.1:\d+\)/);
    expect(result.stdout).toMatch(/- n3 \(http:\/\/127\.0\.0\.1:\d+\)/);
    expect(result.stdout).toContain('flotilla recover --data-dir');
  }, 30_000);

  it('recover refuses a running server, then makes the stopped survivor lead alone with all its data', async () => {
    const survivor = member('n1');
    const refused = await flotilla(['recover', '--data-dir', survivor.dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('still running');
    await survivor.process.stop();
    const dryRun = await flotilla(['recover', '--data-dir', survivor.dataDir, '--dry-run']);
    expect(dryRun.stdout).toContain('member n1');
    expect(dryRun.stdout).toContain('dry run');
    const recovered = await flotilla(['recover', '--data-dir', survivor.dataDir]);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stdout).toContain('n1 is now the only voter');
    survivor.process.start();
    await leaderAmong([survivor.clientEndpoint]);
    expect(holdsKeys(await readPrefix(survivor.clientEndpoint, 'kept/'), 'kept/', keys)).toBe(true);
    const members = await memberList(survivor.clientEndpoint);
    expect(members.map((listed) => listed.name)).toEqual(['n1']);
    await putKeys(survivor.clientEndpoint, 'after/', 30);
  }, 60_000);

  it('the other two join again as learners (wiped), catch up by snapshot, are promoted; every key is on every replica', async () => {
    const survivor = member('n1');
    const token = await clusterTokenOf(survivor.dataDir);
    for (const name of ['n2', 'n3']) {
      const joiner = member(name);
      await rm(joiner.dataDir, { recursive: true, force: true });
      await mkdir(joiner.dataDir, { recursive: true });
      const process = await joinAsLearner(survivor, joiner, token);
      rejoined.push(process);
      await waitFor(`${name} promoted`, 30_000, async () => promote(survivor.clientEndpoint, joiner));
    }
    const endpoints = cluster.clientEndpoints();
    const voters = (await memberList(survivor.clientEndpoint)).filter((listed) => !listed.isLearner);
    expect(voters.map((listed) => listed.name).sort()).toEqual(['n1', 'n2', 'n3']);
    for (const endpoint of endpoints) {
      const local = await waitFor(`${endpoint} caught up`, 20_000, async () => {
        const held = await readPrefix(endpoint, '', 's');
        return holdsKeys(held, 'kept/', keys) && holdsKeys(held, 'after/', 30) ? held : null;
      });
      expect(local.size).toBe(keys + 30);
    }
    // The new majority works without the recovered member.
    await survivor.process.kill();
    const others = endpoints.filter((endpoint) => endpoint !== survivor.clientEndpoint);
    await leaderAmong(others);
    await putKeys(others.join(','), 'without-n1/', 5);
    const status = await flotilla(['status', '--endpoints', endpoints.join(','), '--timeout-ms', '1000']);
    expect(status.stdout).toContain('Quorum: 2 of 3 voters answer, 2 needed; one more failure stops writes. Missing: n1');
  }, 120_000);

  /** `etcdctl member add --learner`, then the wiped member started with initial-cluster-state existing. */
  async function joinAsLearner(survivor: ClusterMember, joiner: ClusterMember, token: string): Promise<ServerProcess> {
    const client = new EtcdWireClient(survivor.clientEndpoint);
    try {
      await client.call('Cluster', 'MemberAdd', { peerURLs: [`http://${host}:${joiner.peerPort}`], isLearner: true }, 5_000);
    } finally {
      client.close();
    }
    const process = new ServerProcess({
      name: joiner.name,
      logPath: join(cluster.directory, `${joiner.name}-rejoined.log`),
      args: [
        'server', '--name', joiner.name, '--data-dir', joiner.dataDir, '--peer-listen', `${host}:${joiner.peerPort}`,
        '--client-listen', joiner.clientEndpoint, '--initial-cluster', `n1=${host}:${survivor.peerPort},${joiner.name}=${host}:${joiner.peerPort}`,
        '--initial-cluster-state', 'existing', '--cluster-token', token, ...snapshotArgs,
      ],
    });
    process.start();
    return process;
  }

  async function promote(endpoint: string, joiner: ClusterMember): Promise<true | null> {
    const listed = (await memberList(endpoint)).find((candidate) => candidate.name === joiner.name);
    if (listed === undefined) return null;
    if (!listed.isLearner) return true;
    const client = new EtcdWireClient(endpoint);
    try {
      await client.call('Cluster', 'MemberPromote', { ID: listed.ID }, 5_000);
      return true;
    } catch {
      return null;
    } finally {
      client.close();
    }
  }
});
