import type { RaftCoreConfig } from '../../raft/index.ts';
import type {
  CommandResult,
  MembershipChange,
  Membership,
  Message,
  NodeId,
  ProposeResult,
  Ready,
  Role,
  SnapshotMetadata,
} from '../../raft/index.ts';

/** The part of `RaftStatus` the simulator reads. */
export interface SimCoreStatus {
  readonly role: Role;
  readonly term: number;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly membership: Membership;
}

/**
 * The `RaftCore` surface the simulator drives (raft/core-api.md). Declared structurally so the
 * simulator depends on the contract, not on the class; `createRaftCore` passes the real one.
 */
export interface SimCore {
  readonly id: NodeId;
  tick(): void;
  step(message: Message): void;
  propose(data: Uint8Array): ProposeResult;
  forwardProposal(id: string, data: Uint8Array): CommandResult;
  proposeMembershipChange(change: MembershipChange): ProposeResult;
  readIndex(requestId: string): CommandResult;
  transferLeader(to: NodeId): CommandResult;
  compact(index: number, sizeBytes: number): SnapshotMetadata;
  hasReady(): boolean;
  ready(): Ready;
  advance(): void;
  status(): SimCoreStatus;
  checkInvariants(): void;
}

export type CoreFactory = (config: RaftCoreConfig) => SimCore;
