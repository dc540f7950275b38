import { Limits } from '../common/index.ts';
import type { RaftOptions } from './options.ts';

/**
 * Sensible defaults (ticks are the driver's unit; a 100 ms tick gives a 1-2 s election timeout).
 * Limits come from `common/limits.ts` so that an operator finds every maximum in one place.
 */
export const defaultRaftOptions: RaftOptions = {
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 1,
  preVote: true,
  checkQuorum: true,
  leaseReads: false,
  appendEntriesMax: Limits.appendEntriesMax,
  appendBytesMax: Limits.appendBytesMax,
  inflightMessagesMax: Limits.inflightMessagesMax,
  inflightBytesMax: Limits.inflightBytesMax,
  proposalBytesMax: Limits.proposalBytesMax,
  uncommittedBytesMax: Limits.uncommittedBytesMax,
  snapshotChunkBytes: Limits.snapshotChunkBytes,
  snapshotEntriesThreshold: Limits.snapshotEntriesThreshold,
  snapshotTrailingEntries: 1000,
  pendingReadsMax: Limits.pendingReadsMax,
};
