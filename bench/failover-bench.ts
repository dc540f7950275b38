import type { Etcd3 } from 'etcd3';
import { realClock } from '../common/index.ts';
import { waitForLeader, type ProcessCluster } from '../chaos/cluster/index.ts';
import { startFlotillaCluster } from './flotilla-cluster.ts';
import { createClient, waitWritable } from './kv-workload.ts';
import { fixed } from './table.ts';

/** How long one kill may take to recover before the run counts it as a failure. */
const recoveryDeadlineMs = 30_000;
/** Gap between writes of the light background load. */
const writeIntervalMs = 10;

/**
 * `npm run bench -- failover`: kill -9 the leader repeatedly under a light write load and time
 * each kill to the first write that succeeds afterwards.
 */
export async function runFailoverBench(kills: number, print: (line: string) => void): Promise<void> {
  const system = await startFlotillaCluster();
  const client = createClient(system.clientEndpoints);
  try {
    await waitWritable(client, 30_000);
    const recoveriesMs: number[] = [];
    for (let round = 1; round <= kills; round++) {
      const recoveryMs = await killLeaderOnce(system.cluster, client);
      recoveriesMs.push(recoveryMs);
      print(`kill ${round}: first write ${fixed(recoveryMs, 0)} ms after kill -9 of the leader`);
    }
    const sorted = [...recoveriesMs].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
    print(`failover over ${kills} kills: median ${fixed(median, 0)} ms, max ${fixed(sorted.at(-1) ?? Number.NaN, 0)} ms (goal: median <= 500 ms)`);
  } finally {
    client.close();
    await system.stop();
  }
}

async function killLeaderOnce(cluster: ProcessCluster, client: Etcd3): Promise<number> {
  const leader = await waitForLeader(cluster);
  const killedAtMs = realClock.nowMs();
  await cluster.member(leader).process.kill();
  const recoveredAtMs = await firstSuccessfulWrite(client, killedAtMs);
  cluster.member(leader).process.start();
  await waitAllHealthy(cluster);
  return recoveredAtMs - killedAtMs;
}

async function firstSuccessfulWrite(client: Etcd3, sinceMs: number): Promise<number> {
  for (let attempt = 0; realClock.nowMs() - sinceMs < recoveryDeadlineMs; attempt++) {
    try {
      await client.put('bench/failover').value(String(attempt)).exec();
      return realClock.nowMs();
    } catch {
      await new Promise((resolve) => setTimeout(resolve, writeIntervalMs));
    }
  }
  throw new Error(`no write succeeded within ${recoveryDeadlineMs} ms of the kill`);
}

async function waitAllHealthy(cluster: ProcessCluster): Promise<void> {
  for (const member of cluster.members) {
    const client = createClient([member.clientEndpoint]);
    try {
      await waitWritable(client, recoveryDeadlineMs);
    } finally {
      client.close();
    }
  }
}
