import type { RaftOptions } from '../../raft/index.ts';

/**
 * The simulator's fixed parameters. One tick is 100 simulated ms, etcd's default heartbeat
 * interval, with etcd's default 10-tick election timeout, so "simulated cluster-seconds" compare
 * with a real cluster configured like a default etcd.
 */
export const tickUs = 100_000;
export const microsecondsPerSecond = 1_000_000;

/** Raft options for simulated members: small limits so batching, flow control, snapshots and chunking happen often. */
export function simRaftOptions(flags: {
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly appendEntriesMax: number;
}): RaftOptions {
  return {
    electionTimeoutTicks: 10,
    heartbeatIntervalTicks: 1,
    preVote: flags.preVote,
    checkQuorum: flags.checkQuorum,
    // Clocks drift by up to ±20% here, so a lease would be unsafe: reads go through ReadIndex.
    leaseReads: false,
    appendEntriesMax: flags.appendEntriesMax,
    appendBytesMax: 2048,
    inflightMessagesMax: 4,
    inflightBytesMax: 16 * 1024,
    proposalBytesMax: 1024,
    uncommittedBytesMax: 32 * 1024,
    snapshotChunkBytes: 160,
    snapshotEntriesThreshold: 80,
    snapshotTrailingEntries: 10,
    pendingReadsMax: 64,
  };
}

export const NetworkLimits = {
  /** Messages in flight across the whole simulated network; more are dropped (and counted). */
  inFlightMessagesMax: 20_000,
  /** One-way latency of a healthy link. */
  baseLatencyMinUs: 500,
  baseLatencyMaxUs: 5_000,
} as const;

export const DiskLimits = {
  /** How long an fsync takes; a crash inside this window loses the unsynced writes. */
  fsyncMinUs: 200,
  fsyncMaxUs: 8_000,
} as const;

export const ClientLimits = {
  /** Concurrent simulated clients, each with one operation outstanding at a time. */
  clients: 3,
  /** Keys the workload touches: few, so operations conflict and CAS fails sometimes. */
  keys: 6,
  /** Attempts of one operation that certainly did not take effect (refused, not leader) before giving up. */
  attemptsMax: 6,
  /** After this long without an answer the client gives up: the outcome is unknown. */
  timeoutUs: 3_000_000,
  /** Pause between a client's operations, and before a retry. */
  thinkMinUs: 20_000,
  thinkMaxUs: 400_000,
  retryBackoffUs: 50_000,
  /** Latency between a client and a node (clients sit outside the partitioned network). */
  latencyMinUs: 200,
  latencyMaxUs: 3_000,
  /** Proposals and reads a node tracks for its clients; beyond this it refuses them. */
  pendingPerNodeMax: 256,
  /** Values are padded so that the KV snapshot spans several install-snapshot chunks. */
  valuePaddingBytes: 40,
} as const;

export const LinearizabilityLimits = {
  /** Search budget per run: deterministic (no deadline), so replays agree on the verdict. */
  maxStates: 200_000,
} as const;

/** After the fault phase: everything heals; a leader must appear and a proposal commit within this. */
export const livenessBoundTicks = 100;
/** Extra quiet time after liveness, for every live member to catch up before the convergence check. */
export const convergenceQuietTicks = 60;
