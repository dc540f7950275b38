import { realClock } from '../../common/index.ts';
import { EtcdWireClient } from '../../store/index.ts';

/** The replicas to compare: a `ProcessCluster`, or any cluster's list of etcd client endpoints. */
export interface ConvergenceTarget {
  readonly members: readonly { readonly name: string; readonly clientEndpoint: string }[];
}

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
export async function waitForConvergence(cluster: ConvergenceTarget, deadlineMs: number): Promise<{ converged: boolean; states: MemberState[] }> {
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

interface WireStatus {
  readonly header: { readonly revision: string };
  readonly raft_applied_index: string;
}

interface WireHashKv {
  readonly header: { readonly revision: string };
  readonly hash: number;
}

async function readStates(cluster: ConvergenceTarget): Promise<MemberState[]> {
  const states: MemberState[] = [];
  for (const member of cluster.members) {
    // Our own wire client: the etcd3 npm client cannot call HashKV (its method lookup fails).
    const client = new EtcdWireClient(member.clientEndpoint);
    try {
      const status = await client.call<WireStatus>('Maintenance', 'Status', {}, 2_000);
      const hashed = await client.call<WireHashKv>('Maintenance', 'HashKV', { revision: status.header.revision }, 2_000);
      states.push({
        name: member.name,
        revision: Number(hashed.header.revision),
        hash: Number(hashed.hash),
        appliedIndex: Number(status.raft_applied_index),
      });
    } catch {
      // Not serving yet: the cluster has not converged.
    } finally {
      client.close();
    }
  }
  return states;
}
