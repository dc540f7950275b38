import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, FlotillaError, type Env, type Logger } from '../common/index.ts';
import type { MembershipChangeStep } from '../raft/index.ts';
import { commandErrorToFlotillaError, encodeCommand, type Command, type CommandResponse } from './commands.ts';
import type * as Api from './etcd-api/backend.ts';
import { etcdBackendError } from './etcd-api/etcd-errors.ts';
import { hashKvResponse } from './etcd-api/hash-kv.ts';
import { watchStore } from './etcd-api/local-watch.ts';
import type { Replica, ReplicaMember } from './replica.ts';
import type { StoreSnapshotStream } from './snapshot.ts';
import { LeaderClient, type LeaderMembersAnswer } from './replicated-backend-leader.ts';
import { hostPortOfUrl, memberIdOf, nodeIdForPeerAddress, urlOf } from './replica-identity.ts';

export interface ReplicatedBackendOptions {
  readonly replica: Replica;
  readonly env: Env;
  readonly logger: Logger;
  /** Bound on a forwarded lease call to the leader. */
  readonly forwardTimeoutMs?: number;
}

/** The etcd version we speak (clients gate features on it). */
const apiVersion = '3.4.0';
/** A learner is promotable once its match index is this close to the leader's commit index (etcd: 90%). */
const learnerReadyRatio = 0.9;
/** Bound on dropping a removed member's directory record. */
const forgetTimeoutMs = 5_000;

/**
 * The etcd v3 API over a replica (EtcdBackend): writes are proposed through Raft and answered
 * with their apply outcome; reads are linearizable (ReadIndex, then the local store) unless the
 * client asks for serializable; watches are served from the local store's applied stream.
 * Lease keepalives and time-to-live need the leader's lease clock: a follower forwards them to the
 * leader's client URL. Errors: Raft's not-leader / timeout / stopped pass through as
 * FlotillaErrors, which the API maps to etcd's UNAVAILABLE "leader changed" / "no leader" /
 * "request timed out" / "server stopped".
 */
export class ReplicatedBackend implements Api.EtcdBackend {
  private readonly replica: Replica;
  private readonly leader: LeaderClient;

  constructor(private readonly options: ReplicatedBackendOptions) {
    this.replica = options.replica;
    this.leader = new LeaderClient(options.forwardTimeoutMs ?? 5_000);
  }

  close(): void {
    this.leader.close();
  }

  identity(): Api.MemberIdentity {
    return { clusterId: this.replica.clusterId, memberId: this.replica.memberId };
  }

  localHeader(): Api.LocalHeader {
    return { revision: this.replica.store.revision, raftTerm: this.replica.term };
  }

  private header(): Api.HeaderInfo {
    return { revision: this.replica.store.revision };
  }

  /** Proposes one store command and returns its response, or throws its refusal. */
  private async execute<T extends Command['type']>(command: Command & { type: T }, options: Api.CallOptions): Promise<ResponseOf<T>> {
    const data = encodeCommand(command);
    const result = await this.replica.propose(data, { signal: options.signal });
    if (result.kind !== 'store') throw new FlotillaError(ErrorCode.storeCorrupt, `a ${command.type} proposal produced a directory result`);
    const { outcome } = result;
    if (!outcome.ok) throw commandErrorToFlotillaError(outcome.error);
    if (outcome.response.type !== command.type) {
      throw new FlotillaError(ErrorCode.storeCorrupt, `a ${outcome.response.type} response to a ${command.type}`);
    }
    return outcome.response.response as ResponseOf<T>;
  }

  // ---- KV ----

  async range(request: Api.RangeRequest, options: Api.ReadOptions): Promise<Api.RangeResponse> {
    if (!options.serializable) await this.replica.readIndex({ signal: options.signal });
    return this.replica.read((store) => store.range(request));
  }

  put(request: Api.PutRequest, options: Api.CallOptions): Promise<Api.PutResponse> {
    return this.execute({ type: 'put', request }, options);
  }

  deleteRange(request: Api.DeleteRangeRequest, options: Api.CallOptions): Promise<Api.DeleteRangeResponse> {
    return this.execute({ type: 'deleteRange', request }, options);
  }

  txn(request: Api.TxnRequest, options: Api.CallOptions): Promise<Api.TxnResponse> {
    return this.execute({ type: 'txn', request }, options);
  }

  async compact(request: Api.CompactRequest, options: Api.CallOptions): Promise<Api.CompactResponse> {
    const response = await this.execute({ type: 'compact', revision: request.revision }, options);
    if (request.physical) await this.replica.store.whenCompacted();
    return response;
  }

  async watch(request: Api.WatchRequest, listener: Api.WatchListener): Promise<Api.WatchStart> {
    return watchStore(this.replica.store, request, listener, this.options.logger);
  }

  // ---- Leases ----

  async leaseGrant(request: Api.LeaseGrantRequest, options: Api.CallOptions): Promise<Api.LeaseGrantResponse> {
    const store = this.replica.store;
    if (request.id !== 0 && store.timeToLive(request.id) !== null) throw etcdBackendError('leaseExists', `lease ${request.id} exists`);
    const id = request.id === 0 ? this.unusedLeaseId() : request.id;
    const ttlSeconds = Math.max(request.ttlSeconds, this.leaseTtlSecondsMin());
    return this.execute({ type: 'leaseGrant', id, ttlSeconds }, options);
  }

  /** etcd's minimum TTL: 1.5 election timeouts, so a lease survives a leader change. */
  private leaseTtlSecondsMin(): number {
    return Math.max(1, Math.ceil((this.replica.electionTimeoutMs * 1.5) / 1000));
  }

  /** Random IDs in [1, 2^53), from the injected PRNG (a collision is refused at apply, never merged). */
  private unusedLeaseId(): number {
    const { prng } = this.options.env;
    for (;;) {
      const id = prng.nextInt(0, 2 ** 21) * 2 ** 32 + prng.nextInt(1, 2 ** 32);
      if (this.replica.store.timeToLive(id) === null) return id;
    }
  }

  async leaseRevoke(id: number, options: Api.CallOptions): Promise<Api.HeaderInfo> {
    return (await this.execute({ type: 'leaseRevoke', id }, options)).header;
  }

  async leaseKeepAlive(id: number, options: Api.CallOptions): Promise<Api.LeaseKeepAliveResponse> {
    const clock = this.replica.leaseClock;
    if (clock.isLeading) {
      const ttlSeconds = clock.keepAlive(id);
      if (ttlSeconds === null) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${id} not found`);
      return { header: this.header(), id, ttlSeconds };
    }
    const ttlSeconds = await this.leader.keepAlive(this.leaderEndpoint(), id, options.signal);
    if (ttlSeconds <= 0) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${id} not found`);
    return { header: this.header(), id, ttlSeconds };
  }

  async leaseTimeToLive(id: number, keys: boolean, options: Api.CallOptions): Promise<Api.LeaseTimeToLiveResponse> {
    const clock = this.replica.leaseClock;
    if (!clock.isLeading) {
      const answer = await this.leader.timeToLive(this.leaderEndpoint(), id, keys, options.signal);
      if (answer === null) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${id} not found`);
      return { header: this.header(), id, ...answer };
    }
    const lease = this.replica.store.timeToLive(id, keys);
    const remainingMs = clock.remainingMs(id);
    if (lease === null || remainingMs === null) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${id} not found`);
    return { header: this.header(), id, ttlSeconds: Math.floor(remainingMs / 1000), grantedTtlSeconds: lease.ttlSeconds, keys: lease.keys };
  }

  /** The leader's client endpoint (HOST:PORT), or a retryable "no leader" error. */
  private leaderEndpoint(): string {
    const url = this.replica.leaderClientUrl();
    const address = url === null ? null : hostPortOfUrl(url);
    if (address === null) {
      const leaderHint = this.replica.status().leaderId;
      throw new FlotillaError(ErrorCode.raftNotLeader, 'this request is served by the leader, whose client URL is not known here', {
        details: { leaderHint },
      });
    }
    return urlOf(address).slice('http://'.length);
  }

  async leaseLeases(): Promise<Api.LeaseLeasesResponse> {
    return { header: this.header(), ids: this.replica.store.leases().map((lease) => lease.id) };
  }

  // ---- Cluster ----

  async memberList(): Promise<Api.MembersResponse> {
    return { header: this.header(), members: this.replica.members().map(toApiMember) };
  }

  /** Membership changes run on the leader: a follower hands the whole call to it. */
  private isLeader(): boolean {
    return this.replica.status().role === 'leader';
  }

  private forwarded(answer: LeaderMembersAnswer): Api.MembersResponse {
    return { header: this.header(), members: answer.members };
  }

  async memberAdd(peerUrls: readonly string[], isLearner: boolean, options: Api.CallOptions): Promise<Api.MemberAddResponse> {
    if (!this.isLeader()) {
      const answer = await this.leader.memberAdd(this.leaderEndpoint(), peerUrls, isLearner, options.signal);
      if (answer.member === null) throw new FlotillaError(ErrorCode.invalidArgument, 'the leader answered MemberAdd without the member');
      return { ...this.forwarded(answer), member: answer.member };
    }
    const address = hostPortOfUrl(peerUrls[0] ?? '');
    if (address === null) throw etcdBackendError('memberBadUrls', `bad peer URL ${JSON.stringify(peerUrls[0])}`);
    const nodeId = nodeIdForPeerAddress(address);
    const existing = this.replica.members();
    if (existing.some((member) => member.nodeId === nodeId)) throw etcdBackendError('memberExists', `member ${nodeId} exists`);
    const urls = new Set(peerUrls);
    if (existing.some((member) => member.peerUrls.some((url) => urls.has(url)))) throw etcdBackendError('peerUrlExists', 'peer URL in use');
    const record = { nodeId, name: '', peerUrls: [...peerUrls], clientUrls: [] };
    // The directory entry first: when the membership entry is appended, every replica already knows the address.
    await this.replica.recordMember(record, { signal: options.signal });
    await this.changeMembership({ type: isLearner ? 'add-learner' : 'add-voter', id: nodeId }, options);
    const member = this.replica.members().find((candidate) => candidate.nodeId === nodeId);
    const added = member ?? { nodeId, memberId: memberIdOf(nodeId), name: '', peerUrls, clientUrls: [], isLearner };
    return { header: this.header(), member: toApiMember(added), members: this.replica.members().map(toApiMember) };
  }

  async memberRemove(id: bigint, options: Api.CallOptions): Promise<Api.MembersResponse> {
    if (!this.isLeader()) return this.forwarded(await this.leader.memberRemove(this.leaderEndpoint(), id, options.signal));
    const member = this.findMember(id);
    await this.changeMembership({ type: 'remove', id: member.nodeId }, options);
    // Not awaited: when the leader removes itself it steps down right after, and the client must
    // not wait on this. A record left behind only keeps a dead peer address registered.
    this.replica.forgetMember(member.nodeId, { timeoutMs: forgetTimeoutMs }).catch((error: unknown) => {
      this.options.logger.warn({ err: error, nodeId: member.nodeId }, 'removing the member directory record failed');
    });
    return { header: this.header(), members: this.replica.members().map(toApiMember) };
  }

  async memberPromote(id: bigint, options: Api.CallOptions): Promise<Api.MembersResponse> {
    if (!this.isLeader()) return this.forwarded(await this.leader.memberPromote(this.leaderEndpoint(), id, options.signal));
    const member = this.findMember(id);
    if (!member.isLearner) throw etcdBackendError('memberNotLearner', `${member.nodeId} is a voter`);
    const status = this.replica.status();
    const progress = status.progress[member.nodeId];
    if (status.role === 'leader' && (progress === undefined || progress.matchIndex < status.commitIndex * learnerReadyRatio)) {
      throw etcdBackendError('learnerNotReady', `${member.nodeId} is at ${progress?.matchIndex ?? 0} of ${status.commitIndex}`);
    }
    await this.changeMembership({ type: 'promote-learner', id: member.nodeId }, options);
    return { header: this.header(), members: this.replica.members().map(toApiMember) };
  }

  private findMember(id: bigint): ReplicaMember {
    const member = this.replica.members().find((candidate) => candidate.memberId === id);
    if (member === undefined) throw etcdBackendError('memberNotFound', `member ${id.toString(16)} not found`);
    return member;
  }

  private async changeMembership(step: MembershipChangeStep, options: Api.CallOptions): Promise<void> {
    await this.replica.proposeMembershipChange({ steps: [step] }, { signal: options.signal });
  }

  // ---- Maintenance ----

  /** Hashes the local replica's applied history (serializable, like etcd's). */
  hashKv(revision: number): Promise<Api.HashKvResponse> {
    return this.replica.read((store) => hashKvResponse(store, revision));
  }

  /** After a ReadIndex, so the snapshot holds every write acknowledged before the call (a learner or a lagging follower included). */
  async snapshot(options: Api.CallOptions): Promise<StoreSnapshotStream> {
    await this.replica.readIndex({ signal: options.signal });
    return this.replica.read((store) => store.createSnapshot());
  }

  async status(): Promise<Api.StatusResponse> {
    const status = this.replica.status();
    const sizeBytes = await directorySizeBytes(join(this.replica.dataDir, 'db'));
    const errors: string[] = [];
    if (status.failure !== null) errors.push(`flotilla: raft stopped: ${status.failure}`);
    if (this.replica.isRemoved) errors.push('flotilla: this member was removed from the cluster');
    return {
      header: this.header(),
      version: apiVersion,
      dbSizeBytes: sizeBytes,
      dbSizeInUseBytes: sizeBytes,
      leaderId: status.leaderId === null ? 0n : memberIdOf(status.leaderId),
      raftIndex: status.commitIndex,
      raftTerm: status.term,
      raftAppliedIndex: status.stateMachineAppliedIndex,
      errors,
      isLearner: status.membership.learners.includes(this.replica.nodeId),
    };
  }
}

type ResponseOf<T extends Command['type']> = Extract<CommandResponse, { type: T }>['response'];

function toApiMember(member: ReplicaMember): Api.Member {
  return { id: member.memberId, name: member.name, peerUrls: member.peerUrls, clientUrls: member.clientUrls, isLearner: member.isLearner };
}

/** LevelDB's files on disk: what etcd reports as dbSize. */
async function directorySizeBytes(directory: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(directory).catch(() => [])) {
    const info = await stat(join(directory, name)).catch(() => null);
    if (info?.isFile() === true) total += info.size;
  }
  return total;
}
