import { Limits } from '../../common/index.ts';

/** The etcd API's named maximums; defaults follow etcd v3.4 where it has one. */
export interface EtcdApiLimits {
  /**
   * gRPC refuses a larger message before decoding it (RESOURCE_EXHAUSTED). etcd allows its request
   * limit plus 512 KiB of gRPC overhead; a message between the two is decoded and refused with
   * "etcdserver: request is too large".
   */
  readonly receiveMessageBytesMax: number;
  /** etcd's --max-request-bytes: the largest request that may become a Raft proposal. */
  readonly requestBytesMax: number;
  readonly keyBytesMax: number;
  readonly valueBytesMax: number;
  /** etcd's --max-txn-ops: operations in one txn branch (and compares). */
  readonly txnOpsMax: number;
  /** Watchers on one Watch stream; a create beyond it is answered created+canceled. */
  readonly watchersPerStreamMax: number;
  /**
   * Responses queued on one Watch stream that the client has not read yet. Beyond it the stream
   * is ended (RESOURCE_EXHAUSTED); clients re-watch from their last revision, which is cheaper for
   * us than buffering without bound for a slow reader.
   */
  readonly watchStreamQueuedResponsesMax: number;
  /** Keep-alive requests waiting for their answer on one LeaseKeepAlive stream. */
  readonly keepAlivePendingMax: number;
  /** How often a watcher created with progress_notify hears about an idle revision (etcd: 10 min). */
  readonly progressNotifyIntervalMs: number;
  /** A progress request waits at most this long for catching-up watchers before it is answered. */
  readonly progressRequestWaitMs: number;
}

const requestBytesMax = Limits.proposalBytesMax;

export const defaultEtcdApiLimits: EtcdApiLimits = {
  receiveMessageBytesMax: requestBytesMax + 512 * 1024,
  requestBytesMax,
  keyBytesMax: Limits.keyBytesMax,
  valueBytesMax: Limits.valueBytesMax,
  txnOpsMax: 128,
  watchersPerStreamMax: 10_000,
  watchStreamQueuedResponsesMax: Limits.watcherEventsMax,
  keepAlivePendingMax: 1024,
  progressNotifyIntervalMs: 10 * 60 * 1000,
  progressRequestWaitMs: 5_000,
};
