import { Etcd3 } from 'etcd3';
import { noop } from 'cockatiel';
import { realClock } from '../../common/index.ts';
import type { ProcessCluster } from './process-cluster.ts';

/** An etcd3 client on exactly one endpoint that never retries (chaos wants to see every failure). */
export function singleEndpointClient(endpoint: string, callTimeoutMs = 2_000): Etcd3 {
  return new Etcd3({
    hosts: [`http://${endpoint}`],
    dialTimeout: callTimeoutMs,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: new Date(realClock.nowMs() + callTimeoutMs) }),
    faultHandling: { host: () => noop, global: noop },
  });
}

/** The running member that says (via Maintenance.Status) it is the leader, or null if none does now. */
export async function currentLeader(cluster: ProcessCluster): Promise<string | null> {
  for (const member of cluster.members) {
    if (!member.process.isRunning() || member.process.isPaused()) continue;
    const client = singleEndpointClient(member.clientEndpoint, 1_000);
    try {
      const status = await client.maintenance.status();
      if (status.leader === status.header.member_id) return member.name;
    } catch {
      // Not serving now; ask the next one.
    } finally {
      client.close();
    }
  }
  return null;
}

/** Waits for a leader, up to a deadline. */
export async function waitForLeader(cluster: ProcessCluster, deadlineMs = 30_000): Promise<string> {
  const until = realClock.nowMs() + deadlineMs;
  while (realClock.nowMs() < until) {
    const leader = await currentLeader(cluster);
    if (leader !== null) return leader;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no leader within ${deadlineMs} ms`);
}
