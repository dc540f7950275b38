import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import type { Member } from './etcd-api/backend.ts';
import { EtcdErrors, etcdBackendError, type EtcdErrorKind } from './etcd-api/etcd-errors.ts';
import { EtcdWireClient } from './replica-grpc-client.ts';

/** Leader endpoints a follower keeps a channel to (leaders change rarely; old ones are dropped first). */
const leaderClientsMax = 8;

interface WireKeepAliveResponse {
  readonly TTL: string;
}

interface WireMember {
  readonly ID: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}

interface WireMembersResponse {
  readonly member?: WireMember | null;
  readonly members: readonly WireMember[];
}

/** The leader's answer to a membership call, in backend terms. */
export interface LeaderMembersAnswer {
  readonly member: Member | null;
  readonly members: readonly Member[];
}

interface WireTimeToLiveResponse {
  readonly TTL: string;
  readonly grantedTTL: string;
  readonly keys: readonly Uint8Array[];
}

/**
 * Calls a follower hands to the leader through the leader's own etcd client API:
 * - lease keepalives and time-to-live: lease time lives in the leader's LeaseClock, not in Raft;
 * - membership changes: the driver forwards proposals, not membership changes, and only the leader
 *   may change the configuration.
 * A transport failure becomes a retryable "not leader" error (etcd: UNAVAILABLE); an error status
 * from the leader is passed on as the same etcd error.
 */
export class LeaderClient {
  private readonly clients = new Map<string, EtcdWireClient>();

  constructor(private readonly timeoutMs: number) {}

  /** The renewed TTL in seconds; 0 when the leader does not know the lease. */
  async keepAlive(endpoint: string, id: number, signal: AbortSignal): Promise<number> {
    const response = await this.guard(endpoint, (client) =>
      client.streamOnce<WireKeepAliveResponse>('Lease', 'LeaseKeepAlive', { ID: String(id) }, this.timeoutMs, signal),
    );
    return Number(response.TTL);
  }

  /** Null when the leader does not know the lease (it answers TTL -1). */
  async timeToLive(
    endpoint: string,
    id: number,
    keys: boolean,
    signal: AbortSignal,
  ): Promise<{ ttlSeconds: number; grantedTtlSeconds: number; keys: readonly Uint8Array[] } | null> {
    const response = await this.guard(endpoint, (client) =>
      client.call<WireTimeToLiveResponse>('Lease', 'LeaseTimeToLive', { ID: String(id), keys }, this.timeoutMs, signal),
    );
    const ttlSeconds = Number(response.TTL);
    if (ttlSeconds < 0) return null;
    return { ttlSeconds, grantedTtlSeconds: Number(response.grantedTTL), keys: response.keys.map((key) => new Uint8Array(key)) };
  }

  memberAdd(endpoint: string, peerUrls: readonly string[], isLearner: boolean, signal: AbortSignal): Promise<LeaderMembersAnswer> {
    return this.members(endpoint, 'MemberAdd', { peerURLs: [...peerUrls], isLearner }, signal);
  }

  memberRemove(endpoint: string, id: bigint, signal: AbortSignal): Promise<LeaderMembersAnswer> {
    return this.members(endpoint, 'MemberRemove', { ID: id.toString() }, signal);
  }

  memberPromote(endpoint: string, id: bigint, signal: AbortSignal): Promise<LeaderMembersAnswer> {
    return this.members(endpoint, 'MemberPromote', { ID: id.toString() }, signal);
  }

  private async members(endpoint: string, method: string, request: object, signal: AbortSignal): Promise<LeaderMembersAnswer> {
    const response = await this.guard(endpoint, (client) => client.call<WireMembersResponse>('Cluster', method, request, this.timeoutMs, signal));
    const member = response.member === undefined || response.member === null ? null : memberFromWire(response.member);
    return { member, members: response.members.map(memberFromWire) };
  }

  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private async guard<T>(endpoint: string, run: (client: EtcdWireClient) => Promise<T>): Promise<T> {
    try {
      return await run(this.client(endpoint));
    } catch (error) {
      throw fromLeaderError(endpoint, error);
    }
  }

  private client(endpoint: string): EtcdWireClient {
    let client = this.clients.get(endpoint);
    if (client === undefined) {
      if (this.clients.size >= leaderClientsMax) {
        const [oldest] = this.clients.keys();
        if (oldest !== undefined) {
          this.clients.get(oldest)?.close();
          this.clients.delete(oldest);
        }
      }
      client = new EtcdWireClient(endpoint);
      this.clients.set(endpoint, client);
    }
    return client;
  }
}

function memberFromWire(wire: WireMember): Member {
  return { id: BigInt(wire.ID), name: wire.name, peerUrls: wire.peerURLs, clientUrls: wire.clientURLs, isLearner: wire.isLearner };
}

/** The leader's gRPC error → the error this member answers with (the same etcd error where known). */
function fromLeaderError(endpoint: string, error: unknown): FlotillaError {
  const serviceError = error as Partial<ServiceError>;
  const details = serviceError.details ?? String(error);
  if (serviceError.code === GrpcStatus.UNAVAILABLE || serviceError.code === GrpcStatus.DEADLINE_EXCEEDED || serviceError.code === undefined) {
    return new FlotillaError(ErrorCode.raftNotLeader, `the leader at ${endpoint} did not answer: ${details}`, { cause: error, details: { leaderHint: endpoint } });
  }
  if (serviceError.code === GrpcStatus.NOT_FOUND && details.startsWith(EtcdErrors.leaseNotFound.message)) {
    return new FlotillaError(ErrorCode.storeLeaseNotFound, 'lease not found (leader)');
  }
  const kind = (Object.keys(EtcdErrors) as EtcdErrorKind[]).find((candidate) => details.startsWith(EtcdErrors[candidate].message));
  if (kind !== undefined) return etcdBackendError(kind, `leader: ${details}`, error);
  if (serviceError.code === GrpcStatus.FAILED_PRECONDITION) {
    return new FlotillaError(ErrorCode.raftMembershipChangePending, details.replace(/^etcdserver: /, ''), { cause: error });
  }
  return new FlotillaError(ErrorCode.invalidArgument, details.replace(/^etcdserver: /, ''), { cause: error });
}
