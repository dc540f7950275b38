/**
 * What happened in a run, counted. Tests assert that each fault kind really occurs over a batch;
 * the command sums these across seeds for its aggregate line.
 */
export interface SimStats {
  ticks: number;
  messagesDelivered: number;
  messagesDropped: number;
  messagesDuplicated: number;
  messagesDelayed: number;
  messagesReordered: number;
  messagesBlockedByPartition: number;
  messagesOverflowed: number;
  partitions: number;
  oneWayPartitions: number;
  heals: number;
  crashes: number;
  crashesLosingUnsyncedWrites: number;
  /** Crashes of fresh leaders inside leader-churn windows. */
  leaderChurnCrashes: number;
  /** Fresh leaders whose outbound links were cut inside leader-churn windows. */
  leaderChurnIsolations: number;
  restarts: number;
  elections: number;
  maxTerm: number;
  commits: number;
  snapshotsTaken: number;
  snapshotsInstalled: number;
  snapshotChunksSent: number;
  membershipChanges: number;
  learnersAdded: number;
  learnersPromoted: number;
  votersRemoved: number;
  leadersRemoved: number;
  readds: number;
  transfers: number;
  transfersCompleted: number;
  faultsInjected: number;
  clientOps: number;
  clientOpsAcknowledged: number;
  clientOpsUnknown: number;
  clientRetries: number;
  readsServed: number;
  /** Writes a follower forwarded to the leader (etcd's MsgProp) instead of refusing them. */
  proposalsForwarded: number;
}

export type SimStatName = keyof SimStats;

export function emptyStats(): SimStats {
  return {
    ticks: 0,
    messagesDelivered: 0,
    messagesDropped: 0,
    messagesDuplicated: 0,
    messagesDelayed: 0,
    messagesReordered: 0,
    messagesBlockedByPartition: 0,
    messagesOverflowed: 0,
    partitions: 0,
    oneWayPartitions: 0,
    heals: 0,
    crashes: 0,
    crashesLosingUnsyncedWrites: 0,
    leaderChurnCrashes: 0,
    leaderChurnIsolations: 0,
    restarts: 0,
    elections: 0,
    maxTerm: 0,
    commits: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    snapshotChunksSent: 0,
    membershipChanges: 0,
    learnersAdded: 0,
    learnersPromoted: 0,
    votersRemoved: 0,
    leadersRemoved: 0,
    readds: 0,
    transfers: 0,
    transfersCompleted: 0,
    faultsInjected: 0,
    clientOps: 0,
    clientOpsAcknowledged: 0,
    clientOpsUnknown: 0,
    clientRetries: 0,
    readsServed: 0,
    proposalsForwarded: 0,
  };
}

/** Sums counters; `maxTerm` is a maximum, not a sum. */
export function addStats(total: SimStats, run: SimStats): void {
  for (const name of Object.keys(total) as SimStatName[]) {
    total[name] = name === 'maxTerm' ? Math.max(total[name], run[name]) : total[name] + run[name];
  }
}
