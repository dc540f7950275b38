import { realClock } from '../../common/index.ts';
import { singleEndpointClient, type ProcessCluster } from '../cluster/index.ts';

export interface MemberState {
  readonly name: string;
  readonly revision: number;
  readonly hash: number;
  readonly appliedIndex: number;
}

/**
 * After healing, every replica must reach the same revision with the same contents (HashKV at
 * that revision). Polls until they agree or the deadline passes; returns the last readings.
 */
export async function waitForConvergence(cluster: ProcessCluster, deadlineMs: number): Promise<{ converged: boolean; states: MemberState[] }> {
  const until = realClock.nowMs() + deadlineMs;
  let states: MemberState[] = [];
  while (realClock.nowMs() < until) {
    states = await readStates(cluster);
    const complete = states.length === cluster.members.length;
    const first = states[0];
    if (complete && first !== undefined && states.every((s) => s.revision === first.revision && s.hash === first.hash)) {
      return { converged: true, states };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { converged: false, states };
}

async function readStates(cluster: ProcessCluster): Promise<MemberState[]> {
  const states: MemberState[] = [];
  for (const member of cluster.members) {
    const client = singleEndpointClient(member.clientEndpoint, 2_000);
    try {
      const status = await client.maintenance.status();
      const hashed = await client.maintenance.hashKV({ revision: status.header.revision });
      states.push({
        name: member.name,
        revision: Number(hashed.header.revision),
        hash: Number(hashed.hash),
        appliedIndex: Number(status.raftIndex),
      });
    } catch {
      // Not serving yet: the cluster has not converged.
    } finally {
      client.close();
    }
  }
  return states;
}
