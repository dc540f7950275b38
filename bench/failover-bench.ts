import type { Etcd3 } from 'etcd3';
import { realClock } from '../common/index.ts';
import { singleEndpointClient, waitForLeader, type ProcessCluster } from '../chaos/cluster/index.ts';
import { startFlotillaCluster } from './flotilla-cluster.ts';
import { createClient, waitWritable } from './kv-workload.ts';
import { fixed } from './table.ts';

/** How long one kill may take to recover before the run counts it as a failure. */
const recoveryDeadlineMs = 30_000;
/** Gap between writes of the light background load (and between probe rounds). */
const writeIntervalMs = 10;
/** Deadline of one probe write: short, so a write stuck on a dead leader does not hide recovery. */
const probeDeadlineMs = 250;

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
  // The light load keeps running through the kill (the stock client, as users run it).
  const load = startLightLoad(client);
  const killedAtMs = realClock.nowMs();
  await cluster.member(leader).process.kill();
  const survivors = cluster.members.filter((member) => member.name !== leader).map((member) => member.clientEndpoint);
  const recoveredAtMs = await firstSuccessfulWrite(survivors, killedAtMs);
  await load.stop();
  cluster.member(leader).process.start();
  await waitAllHealthy(cluster);
  return recoveredAtMs - killedAtMs;
}

/**
 * Probes every surviving member with short-deadline writes and no client-side retry policy, so
 * the figure is the cluster's unavailability, not a client library's circuit breaker (the etcd3
 * client's default one stays open for 5 s after three failures).
 */
async function firstSuccessfulWrite(endpoints: readonly string[], sinceMs: number): Promise<number> {
  const probes = endpoints.map((endpoint) => singleEndpointClient(endpoint, probeDeadlineMs));
  try {
    for (let attempt = 0; realClock.nowMs() - sinceMs < recoveryDeadlineMs; attempt++) {
      const outcomes = await Promise.allSettled(probes.map((probe) => probe.put('bench/failover').value(String(attempt)).exec()));
      if (outcomes.some((outcome) => outcome.status === 'fulfilled')) return realClock.nowMs();
      await new Promise((resolve) => setTimeout(resolve, writeIntervalMs));
    }
    throw new Error(`no write succeeded within ${recoveryDeadlineMs} ms of the kill`);
  } finally {
    for (const probe of probes) probe.close();
  }
}

function startLightLoad(client: Etcd3): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await client.put('bench/load').value(String(i)).exec().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, writeIntervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
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
