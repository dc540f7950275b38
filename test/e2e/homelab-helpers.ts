/** Small helpers shared by the homelab-path tests (recover, reboot, snapshot, init/join). */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { flotillaBin } from '../../chaos/cluster/index.ts';
import { EtcdWireClient } from '../../store/index.ts';
import { etcdctl } from '../store/etcd-api-harness.ts';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `flotilla` command to its end. */
export function flotilla(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [flotillaBin, ...args], { timeout: options.timeoutMs ?? 60_000, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls until `probe` gives a value (a throw counts as "not yet"). */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(150);
  }
}

interface WireStatus {
  readonly header: { readonly member_id: string };
  readonly leader: string;
  readonly isLearner: boolean;
}

interface WireMembers {
  readonly members: ReadonlyArray<{ readonly ID: string; readonly name: string; readonly isLearner: boolean }>;
}

export async function memberStatus(endpoint: string): Promise<WireStatus | null> {
  const client = new EtcdWireClient(endpoint);
  try {
    return await client.call<WireStatus>('Maintenance', 'Status', {}, 3_000);
  } catch {
    return null;
  } finally {
    client.close();
  }
}

/** The member list as one endpoint sees it. */
export async function memberList(endpoint: string): Promise<WireMembers['members']> {
  const client = new EtcdWireClient(endpoint);
  try {
    return (await client.call<WireMembers>('Cluster', 'MemberList', {}, 2_000)).members;
  } finally {
    client.close();
  }
}

/** Resolves with the endpoint that leads, once one of `endpoints` says it does. */
export function leaderAmong(endpoints: readonly string[], timeoutMs = 60_000): Promise<string> {
  return waitFor(`a leader among ${endpoints.join(',')}`, timeoutMs, async () => {
    for (const endpoint of endpoints) {
      const status = await memberStatus(endpoint);
      if (status !== null && status.leader !== '0' && status.leader === status.header.member_id) return endpoint;
    }
    return null;
  });
}

/** Puts `count` keys `prefix<i>` = `value-<i>` (gRPC, in process), each retried on any endpoint through a leader change. */
export async function putKeys(endpoints: string, prefix: string, count: number): Promise<void> {
  const clients = endpoints.split(',').map((endpoint) => new EtcdWireClient(endpoint));
  try {
    for (let i = 0; i < count; i++) {
      let attempt = 0;
      await waitFor(`put ${prefix}${i}`, 10_000, async () => {
        const client = clients[attempt++ % clients.length] as EtcdWireClient;
        await client.call('KV', 'Put', { key: Buffer.from(`${prefix}${i}`), value: Buffer.from(`value-${i}`) }, 2_000);
        return true;
      });
    }
  } finally {
    for (const client of clients) client.close();
  }
}

/** Key → value under a prefix, linearizable (through the leader) or as one member holds it. */
export async function readPrefix(endpoint: string, prefix: string, consistency: 'l' | 's' = 'l'): Promise<Map<string, string>> {
  const result = await etcdctl(endpoint, ['get', prefix, '--prefix', `--consistency=${consistency}`, '-w', 'json']);
  if (result.code !== 0) throw new Error(`get ${prefix} on ${endpoint}: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout) as { kvs?: Array<{ key: string; value: string }> };
  const decode = (text: string): string => Buffer.from(text, 'base64').toString('utf8');
  return new Map((parsed.kvs ?? []).map((kv) => [decode(kv.key), decode(kv.value)]));
}

/** Whether `map` holds exactly `prefix<i>` = `value-<i>` for i < count. */
export function holdsKeys(map: ReadonlyMap<string, string>, prefix: string, count: number): boolean {
  if ([...map.keys()].filter((key) => key.startsWith(prefix)).length !== count) return false;
  for (let i = 0; i < count; i++) if (map.get(`${prefix}${i}`) !== `value-${i}`) return false;
  return true;
}

/** The cluster token a replica keeps in its data directory (joiners must present the same). */
export async function clusterTokenOf(dataDir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dataDir, 'member.json'), 'utf8')) as { clusterToken: string }).clusterToken;
}
