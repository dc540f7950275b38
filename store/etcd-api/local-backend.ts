import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { ErrorCode, FlotillaError, type Env, type Logger, type TimerHandle } from '../../common/index.ts';
import { hashKvResponse } from './hash-kv.ts';
import type { Entry } from '../../raft/index.ts';
import {
  commandErrorToFlotillaError,
  encodeCommand,
  LeaseClock,
  MvccStore,
  type Command,
  type CommandResponse,
} from '../index.ts';
import type * as Api from './backend.ts';
import { etcdBackendError } from './etcd-errors.ts';
import { watchStore } from './local-watch.ts';

export interface LocalBackendOptions {
  /** The member's data directory (LevelDB lives in `<directory>/db`). */
  readonly directory: string;
  readonly env: Env;
  readonly logger: Logger;
  readonly name?: string;
  readonly clientUrls?: readonly string[];
  readonly peerUrls?: readonly string[];
  /** How often the lease clock is asked for expired leases. */
  readonly leaseCheckIntervalMs?: number;
}

/** etcd's minimum lease TTL with its default 1 s election timeout (3/2 of it, rounded up). */
const leaseTtlSecondsMin = 2;
const defaultLeaseCheckIntervalMs = 500;
/** A standalone member is its own one-member cluster; fixed IDs keep restarts recognisable. */
const standaloneMemberId = 0x466c6f74696c6c61n; // "Flotilla" in ASCII
const standaloneClusterId = 0x73746f7265000001n;
const raftTerm = 1;

/**
 * Standalone single-member backend: the MVCC store applied directly, with no Raft. Each write is
 * one command in one "entry" whose index follows the store's appliedIndex, so the store sees
 * exactly what a Raft driver would hand it, and a data directory written here could later seed a
 * replicated member. Reads are trivially linearizable (one member, writes answered after commit).
 * Lease expiry runs here, as on a leader: a LeaseClock deadline, then a leaseExpire command.
 */
export class LocalBackend implements Api.EtcdBackend {
  private nextIndex: number;
  private readonly leaseTimer: TimerHandle;
  private closed = false;

  private constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly store: MvccStore,
    private readonly leaseClock: LeaseClock,
    private readonly options: LocalBackendOptions,
  ) {
    this.nextIndex = store.appliedIndex + 1;
    this.leaseTimer = options.env.timers.setInterval(
      () => void this.expireLeases(),
      options.leaseCheckIntervalMs ?? defaultLeaseCheckIntervalMs,
    );
  }

  static async open(options: LocalBackendOptions): Promise<LocalBackend> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(join(options.directory, 'db'), {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    await db.open();
    const store = await MvccStore.open({ db, logger: options.logger });
    const leaseClock = new LeaseClock(options.env.clock);
    // The only member is always the leader: every lease restarts with its full TTL, as etcd does.
    leaseClock.becomeLeader(store.leases());
    return new LocalBackend(db, store, leaseClock, options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.leaseTimer.cancel();
    await this.store.close();
    await this.db.close();
  }

  identity(): Api.MemberIdentity {
    return { clusterId: standaloneClusterId, memberId: standaloneMemberId };
  }

  localHeader(): Api.LocalHeader {
    return { revision: this.store.revision, raftTerm };
  }

  /**
   * Applies one command as the next log entry and returns its response, or throws its refusal.
   * Encoding validates, so a refused command takes no index; the index is taken and the apply
   * queued in the same synchronous step, so entries reach the store in index order.
   */
  private async execute<T extends Command['type']>(command: Command & { type: T }): Promise<ResponseOf<T>> {
    if (this.closed) throw new FlotillaError(ErrorCode.raftStopped, 'the local backend is closed');
    const data = encodeCommand(command);
    const index = this.nextIndex;
    this.nextIndex += 1;
    const entry: Entry = { type: 'normal', term: raftTerm, index, data };
    const outcomes = await this.store.apply([entry]);
    this.leaseClock.observe(outcomes.values());
    const outcome = outcomes.get(index);
    if (outcome === undefined) throw new FlotillaError(ErrorCode.storeCorrupt, `entry ${index} produced no outcome`);
    if (!outcome.ok) throw commandErrorToFlotillaError(outcome.error);
    const { response } = outcome;
    if (response.type !== command.type) {
      throw new FlotillaError(ErrorCode.storeCorrupt, `entry ${index}: a ${response.type} response to a ${command.type}`);
    }
    return response.response as ResponseOf<T>;
  }

  // ---- KV ----

  async range(request: Api.RangeRequest): Promise<Api.RangeResponse> {
    return this.store.range(request);
  }

  async put(request: Api.PutRequest): Promise<Api.PutResponse> {
    return this.execute({ type: 'put', request });
  }

  async deleteRange(request: Api.DeleteRangeRequest): Promise<Api.DeleteRangeResponse> {
    return this.execute({ type: 'deleteRange', request });
  }

  async txn(request: Api.TxnRequest): Promise<Api.TxnResponse> {
    return this.execute({ type: 'txn', request });
  }

  async compact(request: Api.CompactRequest): Promise<Api.CompactResponse> {
    const response = await this.execute({ type: 'compact', revision: request.revision });
    if (request.physical) await this.store.whenCompacted();
    return response;
  }

  async watch(request: Api.WatchRequest, listener: Api.WatchListener): Promise<Api.WatchStart> {
    return watchStore(this.store, request, listener, this.options.logger);
  }

  // ---- Leases ----

  async leaseGrant(request: Api.LeaseGrantRequest): Promise<Api.LeaseGrantResponse> {
    const id = request.id === 0 ? this.unusedLeaseId() : request.id;
    if (request.id !== 0 && this.store.timeToLive(id) !== null) throw etcdBackendError('leaseExists', `lease ${id} exists`);
    const ttlSeconds = Math.max(request.ttlSeconds, leaseTtlSecondsMin);
    return this.execute({ type: 'leaseGrant', id, ttlSeconds });
  }

  /** Random IDs as etcd's, drawn from the injected PRNG, kept in [1, 2^53) (see numbers.ts). */
  private unusedLeaseId(): number {
    const { prng } = this.options.env;
    for (;;) {
      const id = prng.nextInt(0, 2 ** 21) * 2 ** 32 + prng.nextInt(1, 2 ** 32);
      if (this.store.timeToLive(id) === null) return id;
    }
  }

  async leaseRevoke(id: number): Promise<Api.HeaderInfo> {
    return (await this.execute({ type: 'leaseRevoke', id })).header;
  }

  async leaseKeepAlive(id: number): Promise<Api.LeaseKeepAliveResponse> {
    const ttlSeconds = this.leaseClock.keepAlive(id);
    if (ttlSeconds === null) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${id} not found`);
    return { header: { revision: this.store.revision }, id, ttlSeconds };
  }

  async leaseTimeToLive(id: number, keys: boolean): Promise<Api.LeaseTimeToLiveResponse> {
    const lease = this.store.timeToLive(id, keys);
    const remainingMs = this.leaseClock.remainingMs(id);
    if (lease === null || remainingMs === null) throw new FlotillaError(ErrorCode.storeLeaseNotFound, `lease ${id} not found`);
    return {
      header: { revision: this.store.revision },
      id,
      ttlSeconds: Math.floor(remainingMs / 1000),
      grantedTtlSeconds: lease.ttlSeconds,
      keys: lease.keys,
    };
  }

  async leaseLeases(): Promise<Api.LeaseLeasesResponse> {
    return { header: { revision: this.store.revision }, ids: this.store.leases().map((lease) => lease.id) };
  }

  /** What a leader does on its lease tick: propose the expiry of overdue leases. */
  private async expireLeases(): Promise<void> {
    const ids = this.leaseClock.expired();
    if (ids.length === 0 || this.closed) return;
    try {
      await this.execute({ type: 'leaseExpire', ids });
    } catch (error) {
      this.options.logger.error({ err: error, ids }, 'lease expiry failed');
    }
  }

  // ---- Cluster and maintenance ----

  private self(): Api.Member {
    return {
      id: standaloneMemberId,
      name: this.options.name ?? 'flotilla',
      peerUrls: this.options.peerUrls ?? [],
      clientUrls: this.options.clientUrls ?? [],
      isLearner: false,
    };
  }

  async memberList(): Promise<Api.MembersResponse> {
    return { header: { revision: this.store.revision }, members: [this.self()] };
  }

  async memberAdd(): Promise<Api.MemberAddResponse> {
    throw etcdBackendError('unsupported', 'a standalone member cannot add members');
  }

  async memberRemove(id: bigint): Promise<Api.MembersResponse> {
    if (id !== standaloneMemberId) throw etcdBackendError('memberNotFound', `member ${id.toString(16)} not found`);
    throw etcdBackendError('unsupported', 'a standalone member cannot remove itself');
  }

  async memberPromote(id: bigint): Promise<Api.MembersResponse> {
    if (id !== standaloneMemberId) throw etcdBackendError('memberNotFound', `member ${id.toString(16)} not found`);
    throw etcdBackendError('memberNotLearner', 'the standalone member is a voter');
  }

  hashKv(revision: number): Promise<Api.HashKvResponse> {
    return hashKvResponse(this.store, revision);
  }

  async status(): Promise<Api.StatusResponse> {
    const sizeBytes = await directorySizeBytes(join(this.options.directory, 'db'));
    return {
      header: { revision: this.store.revision },
      version: '3.4.0',
      dbSizeBytes: sizeBytes,
      dbSizeInUseBytes: sizeBytes,
      leaderId: standaloneMemberId,
      raftIndex: this.store.appliedIndex,
      raftTerm,
      raftAppliedIndex: this.store.appliedIndex,
      errors: [],
      isLearner: false,
    };
  }
}

type ResponseOf<T extends Command['type']> = Extract<CommandResponse, { type: T }>['response'];

/** LevelDB's files on disk: what etcd reports as dbSize (ours has no separate "in use" figure). */
async function directorySizeBytes(directory: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(directory)) {
    const info = await stat(join(directory, name)).catch(() => null);
    if (info?.isFile() === true) total += info.size;
  }
  return total;
}
