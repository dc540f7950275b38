/**
 * Whether this replica is the Raft leader, and when that changes: what the leader-only publisher
 * needs from a replica. `store/Replica` has it (see `replicaLeadership`); tests pass their own.
 */
export interface Leadership {
  isLeader(): boolean;
  /** Called with the new answer on every change; returns an unsubscribe function. */
  onChange(listener: (isLeader: boolean) => void): () => void;
}

/** The part of `store/Replica` leadership is read from. */
export interface LeaderSource {
  status(): { readonly role: string };
  readonly raft: { onLeaderChange(listener: (change: { readonly role: string }) => void): () => void };
}

export function replicaLeadership(replica: LeaderSource): Leadership {
  return {
    isLeader: () => replica.status().role === 'leader',
    onChange: (listener) => replica.raft.onLeaderChange((change) => listener(change.role === 'leader')),
  };
}
