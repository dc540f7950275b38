/**
 * Three real `flotilla server` processes (chaos/cluster ProcessCluster, no relays) driven by the
 * installed etcdctl 3.4 and `flotilla status`: KV, txn, watch, leases, members, failover, SIGTERM,
 * membership changes with a learner that catches up by snapshot.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessCluster, ServerProcess, flotillaBin } from '../../chaos/cluster/index.ts';
import { findFreePorts } from '../../common/index.ts';
import { EtcdWireClient } from '../../store/index.ts';
import { etcdctl, etcdctlWatch } from '../store/etcd-api-harness.ts';

const host = '127.0.0.1';
const extraArgs = ['--snapshot-entries', '50'];

interface WireStatus {
  readonly header: { readonly member_id: string };
  readonly leader: string;
  readonly raftIndex: string;
  readonly raftAppliedIndex: string;
}

async function status(endpoint: string): Promise<WireStatus | null> {
  const client = new EtcdWireClient(endpoint);
  try {
    return await client.call<WireStatus>('Maintenance', 'Status', {}, 1_000);
  } catch {
    return null;
  } finally {
    client.close();
  }
}

/** The endpoint of the member every reachable endpoint names as leader. */
async function leaderEndpoint(endpoints: readonly string[], timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(endpoints.map(async (endpoint) => ({ endpoint, status: await status(endpoint) })));
    const reachable = answers.filter((answer) => answer.status !== null);
    const leader = reachable.find((answer) => answer.status?.leader !== '0' && answer.status?.leader === answer.status?.header.member_id);
    if (leader !== undefined && reachable.every((answer) => answer.status?.leader === leader.status?.leader)) return leader.endpoint;
    if (Date.now() > deadline) throw new Error(`no agreed leader among ${endpoints.join(',')}`);
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function eventually(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** etcdctl, retried while the cluster elects a leader (UNAVAILABLE); returns the last result. */
async function etcdctlRetry(endpoints: string, args: readonly string[], timeoutMs = 15_000, input?: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await etcdctl(endpoints, args, input);
    if (result.code === 0 || Date.now() > deadline) return result;
    await sleep(200);
  }
}

function flotilla(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [flotillaBin, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

/** A member as `etcdctl member list` shows it (isLearner is left out for voters). */
async function listedMember(endpoints: string, name: string): Promise<{ name?: string; isLearner?: boolean } | undefined> {
  const result = await etcdctl(endpoints, ['member', 'list', '-w', 'json']);
  if (result.code !== 0) return undefined;
  const listed = JSON.parse(result.stdout) as { members: Array<{ name?: string; isLearner?: boolean }> };
  return listed.members.find((member) => member.name === name);
}

/** Key → value of a prefix as one member serves it locally (serializable). */
async function localContents(endpoint: string, prefix: string): Promise<Map<string, string>> {
  const result = await etcdctl(endpoint, ['get', prefix, '--prefix', '--consistency=s', '-w', 'json']);
  if (result.code !== 0) throw new Error(`get on ${endpoint}: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { kvs?: Array<{ key: string; value: string }> };
  const decode = (text: string): string => Buffer.from(text, 'base64').toString();
  return new Map((parsed.kvs ?? []).map((kv) => [decode(kv.key), decode(kv.value)]));
}

describe('flotilla server: 3 real processes, etcdctl 3.4', () => {
  let cluster: ProcessCluster;
  let all: string;
  const extra: ServerProcess[] = [];

  beforeAll(async () => {
    cluster = await ProcessCluster.start({ size: 3, relays: false, extraArgs });
    all = cluster.clientEndpoints().join(',');
    await leaderEndpoint(cluster.clientEndpoints(), 30_000);
  }, 60_000);

  afterAll(async () => {
    for (const process of extra) await process.stop();
    await cluster?.stop();
  });

  it('put, get, del, txn, watch, lease, member list and endpoint status work through any endpoint', async () => {
    const [first, second, third] = cluster.clientEndpoints() as [string, string, string];
    expect((await etcdctlRetry(first, ['put', 'e2e/a', 'one'])).stdout.trim()).toBe('OK');
    // Linearizable read on another member sees the write at once.
    expect((await etcdctl(second, ['get', 'e2e/a', '--print-value-only'])).stdout.trim()).toBe('one');
    expect((await etcdctl(third, ['put', 'e2e/b', 'two'])).code).toBe(0);
    expect((await etcdctl(first, ['get', 'e2e/', '--prefix', '--keys-only'])).stdout.split('\n').filter(Boolean)).toEqual(['e2e/a', 'e2e/b']);
    expect((await etcdctl(second, ['del', 'e2e/b'])).stdout.trim()).toBe('1');

    const txn = await etcdctl(third, ['txn'], 'value("e2e/a") = "one"\n\nput e2e/a uno\n\nput e2e/a nope\n\n');
    expect(txn.stdout).toContain('SUCCESS');
    expect((await etcdctl(first, ['get', 'e2e/a', '--print-value-only'])).stdout.trim()).toBe('uno');

    const watch = etcdctlWatch(second, ['e2e/w', '--prefix']);
    await sleep(500);
    await etcdctl(first, ['put', 'e2e/w1', 'watched']);
    await etcdctl(third, ['del', 'e2e/w1']);
    await eventually(async () => watch.output().includes('DELETE'), 5_000, 'watch events');
    await watch.stop();
    expect(watch.output()).toMatch(/PUT\s+e2e\/w1\s+watched\s+DELETE\s+e2e\/w1/);

    const grant = await etcdctl(first, ['lease', 'grant', '2']);
    const lease = /lease ([0-9a-f]+) granted/.exec(grant.stdout)?.[1];
    expect(lease).toBeDefined();
    expect((await etcdctl(second, ['put', '--lease', lease as string, 'e2e/leased', 'x'])).code).toBe(0);
    // Time-to-live and keepalive on followers are answered by the leader's lease clock.
    for (const endpoint of cluster.clientEndpoints()) {
      const ttl = await etcdctl(endpoint, ['lease', 'timetolive', lease as string, '--keys']);
      expect(ttl.stdout).toContain('attached keys([e2e/leased])');
      expect((await etcdctl(endpoint, ['lease', 'keep-alive', '--once', lease as string])).stdout).toContain('keepalived with TTL(2)');
    }
    expect((await etcdctl(third, ['lease', 'list'])).stdout).toContain(lease as string);
    // Expiry is decided by the leader and applied on every replica.
    for (const endpoint of cluster.clientEndpoints()) {
      await eventually(async () => (await localContents(endpoint, 'e2e/leased')).size === 0, 10_000, `lease expiry on ${endpoint}`);
    }

    const members = await etcdctl(first, ['member', 'list', '-w', 'json']);
    const list = JSON.parse(members.stdout) as { members: Array<{ name: string; peerURLs: string[]; clientURLs: string[] }> };
    expect(list.members.map((member) => member.name).sort()).toEqual(['n1', 'n2', 'n3']);
    for (const member of list.members) expect(member.clientURLs).toEqual([`http://${cluster.member(member.name).clientEndpoint}`]);

    const endpointStatus = await etcdctl(all, ['endpoint', 'status', '-w', 'json']);
    const statuses = JSON.parse(endpointStatus.stdout) as Array<{ Status: { leader: number; raftIndex: number } }>;
    expect(statuses).toHaveLength(3);
    expect(new Set(statuses.map((entry) => String(entry.Status.leader))).size).toBe(1);
    expect((await etcdctl(all, ['endpoint', 'health'])).code).toBe(0);
  });

  it('bad input gets a clear error and the process stays up', async () => {
    const [first] = cluster.clientEndpoints() as [string];
    const hugeKey = 'k'.repeat(2000);
    const refused = await etcdctl(first, ['put', hugeKey, 'v']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('etcdserver: key is too large');
    const future = await etcdctl(first, ['get', 'e2e/a', '--rev', '999999']);
    expect(future.stderr).toContain('required revision is a future revision');
    expect((await etcdctl(first, ['member', 'promote', 'ffffffff'])).stderr).toContain('member not found');
    expect((await etcdctl(first, ['get', 'e2e/a', '--print-value-only'])).stdout.trim()).toBe('uno');
  });

  it('flotilla status prints every member, its role, indexes, leader and lag', async () => {
    const result = await flotilla(['status', '--endpoints', all]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/ENDPOINT\s+NAME\s+MEMBER ID\s+ROLE\s+TERM\s+COMMIT\s+APPLIED\s+LAG\s+LEADER/);
    expect(lines.filter((line) => /\sleader\s/.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /\sfollower\s/.test(line))).toHaveLength(2);
    expect(result.stdout).toContain('All 3 members reachable.');
    const unreachable = await flotilla(['status', '--endpoints', `${all},${host}:1`, '--timeout-ms', '500']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toContain('1 of 4 members unreachable');
  });

  it('kill -9 of the leader: writes continue through the others, no acknowledged write is lost', async () => {
    const acknowledged = new Map<string, string>();
    const leader = await leaderEndpoint(cluster.clientEndpoints());
    const victim = cluster.members.find((member) => member.clientEndpoint === leader);
    if (victim === undefined) throw new Error('leader not found');
    const others = cluster.members.filter((member) => member !== victim).map((member) => member.clientEndpoint);
    let stop = false;
    let attempt = 0;
    const writer = (async () => {
      while (!stop) {
        attempt += 1;
        const key = `kill/${attempt}`;
        const result = await etcdctl(all, ['put', key, `v${attempt}`]);
        if (result.code === 0) acknowledged.set(key, `v${attempt}`);
      }
    })();
    await sleep(1_000);
    const killedAt = Date.now();
    await victim.process.kill();
    const before = acknowledged.size;
    await eventually(async () => (await etcdctl(others.join(','), ['put', 'kill/probe', 'p'])).code === 0, 10_000, 'a write after the kill');
    const failoverMs = Date.now() - killedAt;
    await eventually(async () => acknowledged.size > before + 5, 10_000, 'writes to continue');
    stop = true;
    await writer;
    expect(failoverMs).toBeLessThan(5_000);

    victim.process.start();
    await leaderEndpoint(cluster.clientEndpoints(), 15_000);
    for (const endpoint of cluster.clientEndpoints()) {
      await eventually(async () => {
        const contents = await localContents(endpoint, 'kill/').catch(() => new Map<string, string>());
        return [...acknowledged].every(([key, value]) => contents.get(key) === value);
      }, 15_000, `every acknowledged write on ${endpoint}`);
    }
  });

  it('member add --learner, catch-up by snapshot, promote, remove the leader: the cluster stays available', async () => {
    const endpoints = cluster.clientEndpoints();
    for (let i = 0; i < 80; i++) await etcdctlRetry(all, ['put', `grow/${i}`, `${i}`]);
    const [peerPort, clientPort] = (await findFreePorts(2)) as [number, number];
    const added = await etcdctlRetry(all, ['member', 'add', 'n4', '--learner', `--peer-urls=http://${host}:${peerPort}`]);
    expect(added.stdout).toContain('added to cluster');
    // etcdctl prints the ID with %16x: an ID below 2^60 comes padded with spaces.
    const memberId = /Member\s+([0-9a-f]+)\s+added/.exec(added.stdout)?.[1];
    if (memberId === undefined) throw new Error(`no member ID in: ${added.stdout}`);

    const initialCluster = [...cluster.members.map((member) => `${member.name}=${host}:${member.peerPort}`), `n4=${host}:${peerPort}`].join(',');
    const dataDir = join(cluster.directory, 'n4');
    await mkdir(dataDir, { recursive: true });
    const n4 = new ServerProcess({
      name: 'n4',
      logPath: join(cluster.directory, 'n4.log'),
      args: [
        'server', '--name', 'n4', '--data-dir', dataDir, '--peer-listen', `${host}:${peerPort}`, '--client-listen', `${host}:${clientPort}`,
        '--initial-cluster', initialCluster, '--initial-cluster-state', 'existing', ...extraArgs,
      ],
    });
    extra.push(n4);
    n4.start();
    const n4Endpoint = `${host}:${clientPort}`;
    await eventually(async () => (await localContents(n4Endpoint, 'grow/').catch(() => new Map())).size === 80, 20_000, 'n4 to catch up');
    // The new member publishes its name itself once it runs (as etcd's members do).
    await eventually(async () => (await listedMember(all, 'n4'))?.isLearner === true, 10_000, 'n4 listed as a learner');
    expect((await etcdctl(n4Endpoint, ['endpoint', 'status', '-w', 'json'])).stdout).toContain('"isLearner":true');

    // Retried while the leader says the learner is not in sync yet; a retry after an attempt that
    // timed out but went through is answered "can only promote a learner", so the list decides.
    await eventually(async () => {
      const listedN4 = await listedMember(all, 'n4');
      if (listedN4 !== undefined && listedN4.isLearner !== true) return true;
      await etcdctl(all, ['member', 'promote', memberId]);
      return false;
    }, 15_000, 'n4 to be listed as a voter');

    const leader = await leaderEndpoint([...endpoints, n4Endpoint]);
    const leaderId = BigInt((await status(leader))?.header.member_id ?? '0').toString(16);
    const removed = await etcdctlRetry(all, ['member', 'remove', leaderId]);
    expect(removed.stdout + removed.stderr).toContain('removed from cluster');
    const survivors = [...endpoints, n4Endpoint].filter((endpoint) => endpoint !== leader);
    const afterRemoval = await etcdctlRetry(survivors.join(','), ['put', 'after/removal', 'ok']);
    expect(afterRemoval.code).toBe(0);
    await leaderEndpoint(survivors);
    for (const endpoint of survivors) expect((await etcdctl(endpoint, ['get', 'after/removal', '--print-value-only'])).stdout.trim()).toBe('ok');
    const remaining = JSON.parse((await etcdctl(survivors.join(','), ['member', 'list', '-w', 'json'])).stdout) as { members: unknown[] };
    expect(remaining.members).toHaveLength(3);
    // The removed member stops by itself, cleanly.
    const removedMember = cluster.members.find((member) => member.clientEndpoint === leader);
    await eventually(async () => removedMember?.process.isRunning() === false, 10_000, 'the removed member to exit');
    expect(removedMember?.process.exitCode()).toBe(0);
  });

  it('SIGTERM shuts a server down cleanly with exit code 0', async () => {
    const running = cluster.members.filter((member) => member.process.isRunning());
    const member = running[0];
    if (member === undefined) throw new Error('no running member');
    await member.process.stop();
    expect(member.process.exitCode()).toBe(0);
  });
});

describe('flotilla server: configuration errors', () => {
  it('a bad flag value exits 2 and says what to fix', async () => {
    const result = await flotilla(['server', '--name', 'n1', '--data-dir', '/tmp/x', '--peer-listen', 'nope', '--client-listen', '127.0.0.1:1', '--initial-cluster', 'n2=127.0.0.1:2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--peer-listen: expected HOST:PORT');
    expect(result.stderr).toContain('--initial-cluster must list this member');
  });
});
