export { MvccStore } from './mvcc-store.ts';
export type { MvccStoreOptions, PreparedApply } from './mvcc-store.ts';

export { command, requestOp, putRequest, deleteRangeRequest, encodeCommand, decodeCommand, validateCommand, commandErrorToFlotillaError } from './commands.ts';
export type { Command, CommandType, CommandResponse, ApplyOutcome, CommandError, PutOptions } from './commands.ts';

export { SortOrder, SortTarget, CompareResult } from './types.ts';
export type {
  KeyValue, ResponseHeader, RangeRequest, RangeResponse, PutRequest, PutResponse, DeleteRangeRequest, DeleteRangeResponse,
  Compare, CompareTarget, RequestOp, ResponseOp, TxnRequest, TxnResponse, CompactResponse, LeaseGrantResponse,
  LeaseRevokeResponse, LeaseExpireResponse, LeaseInfo, LeaseTimeToLive, HashKvResult,
} from './types.ts';

export { prefixEnd } from './keys.ts';

export { WatchHub } from './watch-hub.ts';
export type { WatchSource } from './watch-hub.ts';
export { Watcher, WatchCancelReason } from './watcher.ts';
export type { WatchRequest, WatchEvent, WatchResponse } from './watcher.ts';

export { LeaseClock } from './lease-clock.ts';

export { installSnapshot } from './snapshot.ts';
export { SnapshotVerifier, verifySnapshotStream } from './snapshot-verify.ts';
export type { VerifiedSnapshot } from './snapshot-verify.ts';
export type { StoreSnapshotStream, SnapshotFileInfo } from './snapshot.ts';
export { stagingDirectory, prepareStagingDirectory, swapInStagingDirectory, recoverDirectorySwap } from './directory-swap.ts';
export type { SwapRecovery } from './directory-swap.ts';

export { openLayout, defaultNamespace } from './layout.ts';
export type { RootDatabase, StoreBatch, StoreLayout, StoredMeta } from './layout.ts';
export { StoreLimits } from './store-limits.ts';

// Raft persistence on the same LevelDB (log, hard state) and snapshot files.
export { LevelLogStorage } from './level-log-storage.ts';
export type { LogRepair } from './level-log-storage.ts';
export { LevelStableStorage, seedRaftState } from './level-stable-storage.ts';
export { FileSnapshotStore } from './file-snapshot-store.ts';
export { raftSublevelNames, logKey } from './level-raft-keys.ts';
export type { RaftDatabase, LevelBatch } from './level-raft-keys.ts';

// The etcd v3 gRPC client API.
export * from './etcd-api/index.ts';

// Replicas: the store + Raft on one LevelDB, served as the etcd API (flotilla server).
export { Replica } from './replica.ts';
export type { ReplicaOptions, ReplicaMember, ReplicaCounters } from './replica.ts';
export { ReplicatedBackend } from './replicated-backend.ts';
export type { ReplicatedBackendOptions } from './replicated-backend.ts';
export type { ReplicaApplyResult } from './replica-state-machine.ts';
export type { MemberRecord } from './replica-directory.ts';
export { EtcdWireClient } from './replica-grpc-client.ts';
// Data directories made offline (flotilla snapshot restore, flotilla recover).
export { restoreReplicaDataDir } from './replica-restore.ts';
export type { RestoreReplicaOptions, RestoredReplica } from './replica-restore.ts';
export { forceNewCluster, inspectReplicaDataDir } from './replica-force-new-cluster.ts';
export type { ForceNewClusterResult, ReplicaDataFacts } from './replica-force-new-cluster.ts';
export {
  parseHostPort, formatHostPort, hostPortOfUrl, urlOf, memberIdOf, clusterIdOf, nodeIdForPeerAddress, defaultClusterToken,
} from './replica-identity.ts';
export type { HostPort, InitialClusterMember, ReplicaIdentity } from './replica-identity.ts';
