import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env, Logger, TimerHandle } from '../common/index.ts';
import { allMembers, isJoint, type Membership, type MembershipChange, type NodeId, type SnapshotMetadata } from '../raft/index.ts';
// Not in raft/index.ts yet (reported to the lead): the production driver and the TCP transport.
import { RaftNode, raftNodeDefaults, type LeaderChange, type MembershipChangeOutcome, type RaftNodeOptionsInput, type RaftNodeStatus, type RequestOptions } from '../raft/index.ts';
import { TcpTransport, type TcpTransportMetrics } from '../raft/index.ts';
import { command, encodeCommand } from './commands.ts';
import { recoverDirectorySwap } from './directory-swap.ts';
import { FileSnapshotStore } from './file-snapshot-store.ts';
import { LeaseClock } from './lease-clock.ts';
import { LevelLogStorage } from './level-log-storage.ts';
import type { LevelBatch } from './level-raft-keys.ts';
import { LevelStableStorage } from './level-stable-storage.ts';
import { MvccStore } from './mvcc-store.ts';
import { directoryEntryData, MemberDirectory, sameMember, type MemberRecord } from './replica-directory.ts';
import {
  clusterIdOf,
  defaultClusterToken,
  formatHostPort,
  hostPortOfUrl,
  loadOrCreateIdentity,
  memberIdOf,
  nodeIdForPeerAddress,
  parseHostPort,
  urlOf,
  type HostPort,
  type InitialClusterMember,
  type ReplicaIdentity,
} from './replica-identity.ts';
import { openReplicaDatabase, ReplicaStateMachine, type AppliedBatch, type ReplicaApplyResult } from './replica-state-machine.ts';
import { TimedLogStorage } from './replica-timed-log-storage.ts';

export interface ReplicaOptions {
  readonly name: string;
  /** Holds `db/` (the one LevelDB), `snapshots/` and `member.json`. */
  readonly dataDir: string;
  /** Where the Raft transport listens. */
  readonly peerListen: HostPort;
  /** Published in the member directory (MemberList; followers reach the leader's API through them). */
  readonly clientUrls: readonly string[];
  /** Every member's name and peer address as this member reaches it (itself included). */
  readonly initialCluster: readonly InitialClusterMember[];
  /** `new`: bootstrap with `initialCluster` as voters. `existing`: join a running cluster (added by MemberAdd). */
  readonly initialClusterState: 'new' | 'existing';
  readonly clusterToken?: string;
  readonly env: Env;
  readonly logger: Logger;
  readonly raft?: RaftNodeOptionsInput;
  readonly leaseCheckIntervalMs?: number;
  readonly housekeepingIntervalMs?: number;
  readonly transport?: { readonly reconnectDelayMinMs?: number; readonly reconnectDelayMaxMs?: number };
  /** Called with the duration of every synced (fsynced) Raft batch write. */
  readonly onSyncedWrite?: (durationMs: number) => void;
}

/** What MemberList shows for one member. */
export interface ReplicaMember {
  readonly nodeId: NodeId;
  readonly memberId: bigint;
  readonly name: string;
  readonly peerUrls: readonly string[];
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

export interface ReplicaCounters {
  proposalsCommitted: number;
  proposalsFailed: number;
  leaderChanges: number;
}

const defaultLeaseCheckIntervalMs = 500;
const defaultHousekeepingIntervalMs = 250;
/** A member left the membership: keep its connection this long, so it can still hear of its removal. */
const peerRemovalGraceMs = 10_000;
/** Between two attempts to publish this member's attributes. */
const publishRetryMs = 2_000;
/** After this member applied its own removal: time for the leader's TimeoutNow to go out before stopping. */
const removalStopDelayMs = 1_000;

/**
 * One replica of the replicated store: the MVCC store and the Raft driver on one LevelDB, the TCP
 * transport, the member directory, and the leader's lease clock. `ReplicatedBackend` serves the
 * etcd API from it. Flags, defaults and contracts: control-plane/server/README.md.
 */
export class Replica {
  readonly counters: ReplicaCounters = { proposalsCommitted: 0, proposalsFailed: 0, leaderChanges: 0 };
  readonly leaseClock: LeaseClock;
  private readonly logger: Logger;
  private readonly timers: TimerHandle[] = [];
  private readonly registeredPeers = new Map<NodeId, string>();
  private readonly missingPeersSince = new Map<NodeId, number>();
  /** Every id seen in a configuration (bounded by the members a cluster ever had). */
  private readonly formerMembers = new Set<NodeId>();
  private readonly removedListeners = new Set<() => void>();
  private node: RaftNode<LevelBatch, ReplicaApplyResult> | null = null;
  private lastLeaderId: NodeId | null = null;
  private wasMember: boolean;
  private removed = false;
  private stopping: Promise<void> | null = null;
  private expiring = false;
  private publishing = false;
  private nextPublishAtMs = 0;
  private cachedMemberId: bigint | null = null;
  private cachedClusterId: bigint | null = null;

  private constructor(
    readonly identity: ReplicaIdentity,
    private readonly options: ReplicaOptions,
    private readonly stateMachine: ReplicaStateMachine,
    private readonly directory: MemberDirectory,
    readonly transport: TcpTransport,
  ) {
    this.logger = options.logger.child({ member: identity.name });
    this.leaseClock = new LeaseClock(options.env.clock);
    this.wasMember = false;
  }

  static async open(options: ReplicaOptions): Promise<Replica> {
    const { identity, created } = await loadOrCreateIdentity(options.dataDir, freshIdentity(options));
    if (!created && identity.name !== options.name) {
      options.logger.warn({ persisted: identity.name, flag: options.name }, 'the data directory belongs to another name; keeping the persisted identity');
    }
    const logger = options.logger.child({ member: identity.name });
    const databaseDirectory = join(options.dataDir, 'db');
    const recovery = await recoverDirectorySwap(databaseDirectory);
    if (recovery !== 'clean') logger.warn({ recovery }, 'finished an interrupted snapshot install');
    await mkdir(options.dataDir, { recursive: true });
    const db = openReplicaDatabase(databaseDirectory);
    await db.open();
    const store = await MvccStore.open({ db, logger });
    const directory = await MemberDirectory.open(db);
    const log = await LevelLogStorage.open(db, { logger });
    const stable = await LevelStableStorage.open(db);
    const snapshots = await FileSnapshotStore.open(join(options.dataDir, 'snapshots'), { logger });
    // The replica is created after the state machine; its hooks reach it through this indirection.
    let target: Replica | null = null;
    const stateMachine = new ReplicaStateMachine(databaseDirectory, db, store, directory, log, stable, logger, {
      onApplied: (batch) => target?.onApplied(batch),
      onRestored: (metadata) => target?.onRestored(metadata),
    });
    const transport = new TcpTransport({
      id: identity.nodeId,
      clusterId: identity.clusterToken,
      listen: options.peerListen,
      env: options.env,
      logger,
      ...options.transport,
    });
    const replica = new Replica(identity, options, stateMachine, directory, transport);
    target = replica;
    replica.registerPeers(replica.wantedPeers(null));
    const onSyncedWrite = options.onSyncedWrite ?? (() => undefined);
    const timed = new TimedLogStorage(log, { nowMs: () => performance.now() }, onSyncedWrite);
    replica.node = await RaftNode.start<LevelBatch, ReplicaApplyResult>({
      id: identity.nodeId,
      initialMembership: bootstrapMembership(identity, options.initialCluster),
      env: options.env,
      logger,
      log: timed,
      stable,
      snapshots,
      transport,
      stateMachine,
      ...(options.raft === undefined ? {} : { options: options.raft }),
    });
    replica.begin();
    return replica;
  }

  private begin(): void {
    const node = this.raft;
    this.wasMember = allMembers(node.status().membership).includes(this.identity.nodeId);
    node.onLeaderChange((change) => this.onLeaderChange(change));
    const status = node.status();
    this.onLeaderChange({ leaderId: status.leaderId, term: status.term, role: status.role });
    const { timers } = this.options.env;
    this.timers.push(timers.setInterval(() => void this.expireLeases(), this.options.leaseCheckIntervalMs ?? defaultLeaseCheckIntervalMs));
    this.timers.push(timers.setInterval(() => this.housekeeping(), this.options.housekeepingIntervalMs ?? defaultHousekeepingIntervalMs));
    this.housekeeping();
    this.logger.info({ nodeId: this.identity.nodeId, memberId: this.memberId.toString(16), peerListen: formatHostPort(this.transport.address()) }, 'replica started');
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors

  /** The current term, cheaply (every API response header carries it). */
  get term(): number {
    return this.raft.term;
  }

  get raft(): RaftNode<LevelBatch, ReplicaApplyResult> {
    if (this.node === null) throw new Error('replica not started');
    return this.node;
  }

  /** The current store: a snapshot install replaces it, so never keep the reference. */
  get store(): MvccStore {
    return this.stateMachine.store;
  }

  /** Runs a read on the current store (waiting out a snapshot install; see ReplicaStateMachine.read). */
  read<T>(run: (store: MvccStore) => Promise<T>): Promise<T> {
    return this.stateMachine.read(run);
  }

  get nodeId(): NodeId {
    return this.identity.nodeId;
  }

  get name(): string {
    return this.identity.name;
  }

  /** Fixed for the life of the replica; every API response header carries it, so it is hashed once. */
  get memberId(): bigint {
    this.cachedMemberId ??= memberIdOf(this.identity.nodeId);
    return this.cachedMemberId;
  }

  get clusterId(): bigint {
    this.cachedClusterId ??= clusterIdOf(this.identity.clusterToken);
    return this.cachedClusterId;
  }

  /** The base election timeout (the core randomizes it in [1×, 2×)). */
  get electionTimeoutMs(): number {
    const tickMs = this.options.raft?.tickMs ?? raftNodeDefaults.tickMs;
    return tickMs * (this.options.raft?.raft?.electionTimeoutTicks ?? raftNodeDefaults.raft.electionTimeoutTicks);
  }

  get dataDir(): string {
    return this.options.dataDir;
  }

  get isRemoved(): boolean {
    return this.removed;
  }

  status(): RaftNodeStatus {
    return this.raft.status();
  }

  transportMetrics(): TcpTransportMetrics {
    return this.transport.metrics();
  }

  /** Called once if this member applies its own removal from the cluster. */
  onRemoved(listener: () => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  /**
   * The one door for proposals (store commands and directory entries). When the driver forwards
   * proposals from followers to the leader, followers start working here with no other change.
   */
  async propose(data: Uint8Array, options: RequestOptions = {}): Promise<ReplicaApplyResult> {
    try {
      const { result } = await this.raft.propose(data, options);
      this.counters.proposalsCommitted++;
      return result;
    } catch (error) {
      this.counters.proposalsFailed++;
      throw error;
    }
  }

  /** Resolves once a linearizable read may be served from the local store. */
  readIndex(options: RequestOptions = {}): Promise<void> {
    return this.raft.readIndex(options);
  }

  proposeMembershipChange(change: MembershipChange, options: RequestOptions = {}): Promise<MembershipChangeOutcome> {
    return this.raft.proposeMembershipChange(change, options);
  }

  /** Records a member added at runtime (its peer URLs; its name comes when it starts). */
  async recordMember(record: MemberRecord, options: RequestOptions = {}): Promise<void> {
    await this.propose(directoryEntryData({ type: 'member-put', member: record }), options);
  }

  async forgetMember(nodeId: NodeId, options: RequestOptions = {}): Promise<void> {
    await this.propose(directoryEntryData({ type: 'member-delete', nodeId }), options);
  }

  directoryRecord(nodeId: NodeId): MemberRecord | undefined {
    return this.directory.get(nodeId);
  }

  /** The members of the current configuration, with their attributes (etcd's MemberList). */
  members(): ReplicaMember[] {
    const membership = this.raft.status().membership;
    const learners = new Set(membership.learners);
    return allMembers(membership)
      .map((nodeId) => this.memberOf(nodeId, learners.has(nodeId)))
      .sort((left, right) => left.name.localeCompare(right.name) || left.nodeId.localeCompare(right.nodeId));
  }

  private memberOf(nodeId: NodeId, isLearner: boolean): ReplicaMember {
    const memberId = memberIdOf(nodeId);
    if (nodeId === this.identity.nodeId) return { ...this.ownRecord(), memberId, isLearner };
    const record = this.directory.get(nodeId);
    const bootstrapName = this.options.initialCluster.some((member) => member.name === nodeId) ? nodeId : '';
    const address = this.peerAddressOf(nodeId);
    return {
      nodeId,
      memberId,
      name: record?.name !== undefined && record.name !== '' ? record.name : bootstrapName,
      peerUrls: record?.peerUrls ?? (address === null ? [] : [urlOf(address)]),
      clientUrls: record?.clientUrls ?? [],
      isLearner,
    };
  }

  /** This member's attributes, as it publishes them. */
  ownRecord(): MemberRecord {
    const self = this.options.initialCluster.find((member) => member.name === this.identity.name);
    const peer = self?.address ?? this.options.peerListen;
    return { nodeId: this.identity.nodeId, name: this.identity.name, peerUrls: [urlOf(peer)], clientUrls: [...this.options.clientUrls] };
  }

  /** The leader's client URL, from the directory (null when no leader is known or it has not published). */
  leaderClientUrl(): string | null {
    const leaderId = this.raft.status().leaderId;
    if (leaderId === null) return null;
    if (leaderId === this.identity.nodeId) return this.options.clientUrls[0] ?? null;
    return this.directory.get(leaderId)?.clientUrls[0] ?? null;
  }

  /** Stops timers, the Raft node (and its transport), then closes the store and the database. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers.splice(0)) timer.cancel();
    this.leaseClock.becomeFollower();
    await this.node?.stop();
    await this.stateMachine.close();
    this.logger.info('replica stopped');
  }

  // ---------------------------------------------------------------------------------------------
  // Reactions

  private onLeaderChange(change: LeaderChange): void {
    if (change.leaderId !== this.lastLeaderId) {
      if (change.leaderId !== null) this.counters.leaderChanges++;
      this.lastLeaderId = change.leaderId;
    }
    if (change.role === 'leader') {
      // Every lease restarts with its full TTL on a new leader (etcd without checkpoints).
      if (!this.leaseClock.isLeading) this.leaseClock.becomeLeader(this.store.leases());
    } else if (this.leaseClock.isLeading) {
      this.leaseClock.becomeFollower();
    }
  }

  private onApplied(batch: AppliedBatch): void {
    this.leaseClock.observe(batch.storeOutcomes.values());
    for (const membership of batch.memberships) this.onMembershipApplied(membership);
    if (batch.directoryChanged || batch.memberships.length > 0) this.reconcilePeers();
  }

  private onRestored(metadata: SnapshotMetadata): void {
    if (this.leaseClock.isLeading) this.leaseClock.becomeLeader(this.store.leases());
    this.onMembershipApplied(metadata.membership);
    if (this.node !== null) this.reconcilePeers();
  }

  /** A committed configuration: detect our own removal (only once we had been a member). */
  private onMembershipApplied(membership: Membership): void {
    if (allMembers(membership).includes(this.identity.nodeId)) {
      this.wasMember = true;
      return;
    }
    if (!this.wasMember || isJoint(membership) || this.removed || this.isMemberAgain()) return;
    this.removed = true;
    this.logger.warn('this member was removed from the cluster; stopping soon');
    this.options.env.timers.setTimeout(() => {
      if (this.isMemberAgain()) {
        this.removed = false;
        this.logger.info('a later configuration adds this member again (it re-joined at the same address): not stopping');
        return;
      }
      for (const listener of this.removedListeners) listener();
    }, removalStopDelayMs);
  }

  /**
   * Whether the newest configuration this member knows (appended, maybe not yet applied) holds it.
   * A member removed and added again at the same address has the same Raft id, so replaying the
   * log it receives applies its old removal before the entry that adds it back.
   */
  private isMemberAgain(): boolean {
    return this.node !== null && allMembers(this.node.status().membership).includes(this.identity.nodeId);
  }

  private housekeeping(): void {
    if (this.stopping !== null || this.node === null) return;
    this.reconcilePeers();
    void this.publishSelf();
  }

  /** On the leader: propose the expiry of overdue leases, so every replica deletes the same keys. */
  private async expireLeases(): Promise<void> {
    if (!this.leaseClock.isLeading || this.expiring || this.stopping !== null) return;
    const ids = this.leaseClock.expired();
    if (ids.length === 0) return;
    this.expiring = true;
    try {
      await this.propose(encodeCommand(command.leaseExpire(ids)));
      this.logger.info({ leases: ids.length }, 'expired leases');
    } catch (error) {
      // LeaseClock reports them again after its retry delay.
      this.logger.warn({ err: error, leases: ids.length }, 'lease expiry not committed; will retry');
    } finally {
      this.expiring = false;
    }
  }

  /** Each member publishes its own name and URLs through Raft (etcd's publish), until recorded. */
  private async publishSelf(): Promise<void> {
    const status = this.raft.status();
    if (this.publishing || status.leaderId === null || !allMembers(status.membership).includes(this.identity.nodeId)) return;
    const mine = this.ownRecord();
    if (sameMember(this.directory.get(this.identity.nodeId), mine)) return;
    const now = this.options.env.clock.nowMs();
    if (now < this.nextPublishAtMs) return;
    this.nextPublishAtMs = now + publishRetryMs;
    this.publishing = true;
    try {
      await this.recordMember(mine, { timeoutMs: publishRetryMs });
      this.logger.info({ record: mine }, 'published member attributes');
    } catch (error) {
      this.logger.debug({ err: error }, 'publishing member attributes failed; will retry');
    } finally {
      this.publishing = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Peer addresses

  /**
   * How this member reaches `nodeId`: its own `--initial-cluster` entry for that member's name
   * first (addresses may differ per member: relays, NAT), then the URL recorded in the directory.
   */
  peerAddressOf(nodeId: NodeId): HostPort | null {
    const byName = (name: string): HostPort | null => this.options.initialCluster.find((member) => member.name === name)?.address ?? null;
    const record = this.directory.get(nodeId);
    const named = record !== undefined && record.name !== '' ? byName(record.name) : null;
    const address = named ?? byName(nodeId);
    if (address !== null) return address;
    const url = record?.peerUrls[0];
    if (url !== undefined) return hostPortOfUrl(url);
    return nodeId.startsWith('peer-') ? parseHostPort(nodeId.slice('peer-'.length)) : null;
  }

  /** Members of the configuration plus directory records; before any configuration is known, the `--initial-cluster`. */
  private wantedPeers(membership: Membership | null): Map<NodeId, HostPort> {
    const members = membership === null ? [] : allMembers(membership);
    const candidates = new Set<NodeId>([...members, ...this.directory.list().map((record) => record.nodeId)]);
    if (members.length === 0) {
      // A joining member knows the others only by its flags: bootstrap members are named by their
      // name, members added later by their address; until it learns which, it tries both.
      for (const member of this.options.initialCluster) {
        candidates.add(member.name);
        if (this.identity.nodeId.startsWith('peer-')) candidates.add(nodeIdForPeerAddress(member.address));
      }
    }
    const wanted = new Map<NodeId, HostPort>();
    for (const id of candidates) {
      if (id === this.identity.nodeId || id === this.identity.name) continue;
      const address = this.peerAddressOf(id);
      if (address !== null) wanted.set(id, address);
    }
    return wanted;
  }

  private registerPeers(wanted: ReadonlyMap<NodeId, HostPort>): void {
    for (const [id, address] of wanted) {
      this.missingPeersSince.delete(id);
      const key = formatHostPort(address);
      if (this.registeredPeers.get(id) === key) continue;
      this.transport.setPeer(id, address);
      this.registeredPeers.set(id, key);
      this.logger.info({ peer: id, address: key }, 'peer address registered');
    }
  }

  private reconcilePeers(): void {
    if (this.node === null || this.stopping !== null) return;
    const membership = this.node.status().membership;
    for (const id of allMembers(membership)) this.formerMembers.add(id);
    const wanted = this.wantedPeers(membership);
    this.registerPeers(wanted);
    const now = this.options.env.clock.nowMs();
    for (const id of [...this.registeredPeers.keys()]) {
      if (wanted.has(id)) continue;
      const since = this.missingPeersSince.get(id) ?? now;
      this.missingPeersSince.set(id, since);
      // A former member keeps its connection a while (to hear of its removal); a joiner's guess does not.
      if (this.formerMembers.has(id) && now - since < peerRemovalGraceMs) continue;
      this.transport.removePeer(id);
      this.registeredPeers.delete(id);
      this.missingPeersSince.delete(id);
      this.logger.info({ peer: id }, 'peer no longer a member; disconnected');
    }
  }
}

function freshIdentity(options: ReplicaOptions): ReplicaIdentity {
  const self = options.initialCluster.find((member) => member.name === options.name);
  const joining = options.initialClusterState === 'existing';
  const nodeId = joining ? nodeIdForPeerAddress(self?.address ?? options.peerListen) : options.name;
  const clusterToken = options.clusterToken ?? defaultClusterToken(options.initialCluster, joining ? options.name : null);
  return { name: options.name, nodeId, clusterToken };
}

/** Bootstrap members start with every `--initial-cluster` member as a voter; joining members with nothing (they learn it). */
function bootstrapMembership(identity: ReplicaIdentity, initialCluster: readonly InitialClusterMember[]): Membership {
  const names = initialCluster.map((member) => member.name);
  const bootstrap = names.includes(identity.nodeId);
  return { voters: bootstrap ? names : [], learners: [], votersOutgoing: [] };
}
