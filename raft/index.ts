export { RaftCore } from './core.ts';
export { defaultRaftOptions } from './defaults.ts';
export { ProgressState } from './progress.ts';
export { Role } from './types.ts';
export { emptyMembership, isJoint, isVoter, allMembers, allVoters } from './membership.ts';
export type { RaftStatus, RaftProgressStatus } from './status.ts';
export type { RaftOptions, RaftRestoreState, RaftCoreConfig } from './options.ts';
export type {
  NodeId,
  Membership,
  MembershipChange,
  MembershipChangeStep,
  Entry,
  HardState,
  SnapshotMetadata,
  Message,
  MessageType,
  SoftState,
  ReadState,
  ReadFailure,
  SnapshotChunk,
  Ready,
  ProposalRefusal,
  ProposeResult,
  CommandResult,
  ForwardedProposal,
  ForwardedProposalResult,
} from './types.ts';

// The production driver and its ports.
export { RaftNode, raftNodeDefaults } from './node.ts';
export type {
  RaftNodeConfig,
  RaftNodeOptions,
  RaftNodeOptionsInput,
  RaftNodeStatus,
  LeaderChange,
  ProposalOutcome,
  MembershipChangeOutcome,
  RequestOptions,
} from './node.ts';
export type { LogStorage } from './log-storage.ts';
export { ForwardingLogStorage } from './forwarding-log-storage.ts';
export type { StableStorage } from './stable-storage.ts';
export type { SnapshotStore } from './snapshot-store.ts';
export type { Transport } from './transport.ts';
export type { StateMachine, StateMachineSnapshot, PreparedApply } from './state-machine.ts';
export { MemoryBatch } from './memory-batch.ts';
export { MemoryLogStorage } from './memory-log-storage.ts';
export { MemoryStableStorage } from './memory-stable-storage.ts';
export { MemorySnapshotStore } from './memory-snapshot-store.ts';
export { MemoryNetwork, MemoryTransport } from './memory-transport.ts';
export { TcpTransport, tcpTransportDefaults } from './tcp-transport.ts';
export type { TcpTransportOptions, TcpTransportMetrics, PeerAddress } from './tcp-transport.ts';
export { crc32, encodeChecked, decodeChecked } from './crc32.ts';
