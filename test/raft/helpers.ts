import { createPrng } from '../../common/index.ts';
import {
  RaftCore,
  defaultRaftOptions,
  type Entry,
  type HardState,
  type Membership,
  type Message,
  type NodeId,
  type RaftOptions,
  type ReadFailure,
  type Ready,
  type ReadState,
  type SnapshotMetadata,
} from '../../raft/index.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

/** What a driver keeps on disk: hard state, log, snapshots (data by index). */
export interface TestStorage {
  hardState: HardState | null;
  snapshot: SnapshotMetadata | null;
  entries: Entry[];
  snapshotData: Map<number, Uint8Array>;
}

/** One member: its core, its "disk", and a toy state machine (the list of applied payloads). */
export interface TestNode {
  readonly id: NodeId;
  core: RaftCore;
  readonly storage: TestStorage;
  /** The state machine: payloads of applied normal entries, in order. */
  applied: string[];
  appliedIndex: number;
  /** index → "term:payload" of every entry this node applied (survives restarts), for safety checks. */
  readonly appliedLog: Map<number, string>;
  incomingChunks: Uint8Array[];
  readonly readStates: ReadState[];
  readonly readFailures: ReadFailure[];
  snapshotsRequested: number;
  alive: boolean;
  readonly initialMembership: Membership;
}

export interface NetworkOptions {
  readonly options?: Partial<RaftOptions>;
  readonly membership?: Membership;
  readonly seed?: number;
  /** Run checkInvariants after every step and tick (default true). */
  readonly checkInvariants?: boolean;
}

/** Messages travel between these groups only when both ends are in the same group. */
export type DropRule = (message: Message) => boolean;

/** A small in-memory cluster: N cores, message queues, persistence of every Ready, restarts. */
export class Network {
  readonly nodes = new Map<NodeId, TestNode>();
  readonly options: RaftOptions;
  queue: Message[] = [];
  dropRules: DropRule[] = [];
  /** Every message ever handed out by a Ready (before drop rules), for assertions. */
  readonly sent: Message[] = [];
  /** Leaders seen per term across the whole run (election safety). */
  readonly leadersByTerm = new Map<number, Set<NodeId>>();
  private readonly seed: number;
  private readonly checking: boolean;

  constructor(
    ids: readonly NodeId[],
    config: NetworkOptions = {},
  ) {
    this.options = { ...defaultRaftOptions, ...config.options };
    this.seed = config.seed ?? 1;
    this.checking = config.checkInvariants ?? true;
    const membership = config.membership ?? { voters: [...ids], learners: [], votersOutgoing: [] };
    ids.forEach((id) => this.add(id, membership));
  }

  /** Adds a member with an empty disk (a joining node passes an empty membership). */
  add(id: NodeId, membership: Membership): TestNode {
    const storage: TestStorage = { hardState: null, snapshot: null, entries: [], snapshotData: new Map() };
    const node: TestNode = {
      id,
      core: this.createCore(id, storage, membership),
      storage,
      applied: [],
      appliedIndex: 0,
      appliedLog: new Map(),
      incomingChunks: [],
      readStates: [],
      readFailures: [],
      snapshotsRequested: 0,
      alive: true,
      initialMembership: membership,
    };
    this.nodes.set(id, node);
    return node;
  }

  private createCore(id: NodeId, storage: TestStorage, membership: Membership): RaftCore {
    const index = [...id].reduce((sum, char) => sum * 31 + char.charCodeAt(0), this.seed) >>> 0;
    return new RaftCore({
      id,
      initialMembership: membership,
      restore: { hardState: storage.hardState, snapshot: storage.snapshot, entries: [...storage.entries] },
      options: this.options,
      prng: createPrng(index),
    });
  }

  node(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  core(id: NodeId): RaftCore {
    return this.node(id).core;
  }

  /** Handles every pending Ready of every live node (persist, send, apply, advance). */
  processReadies(): void {
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const node of this.nodes.values()) {
        if (node.alive && node.core.hasReady()) {
          this.handleReady(node);
          progressed = true;
        }
      }
    }
  }

  private handleReady(node: TestNode): void {
    const ready = node.core.ready();
    const { storage } = node;
    for (const chunk of ready.snapshotChunks) {
      if (chunk.offset === 0) node.incomingChunks = [];
      node.incomingChunks.push(chunk.data);
    }
    if (ready.snapshotToInstall !== null) this.installSnapshot(node, ready.snapshotToInstall);
    if (ready.hardState !== null) storage.hardState = ready.hardState;
    const first = ready.entries[0];
    if (first !== undefined) {
      storage.entries = storage.entries.filter((entry) => entry.index < first.index).concat(ready.entries);
    }
    for (const message of ready.messages) {
      if (message.to === node.id) throw new Error(`${node.id} sent a message to itself`);
      this.sent.push(message);
      this.queue.push(this.fillSnapshotData(node, message));
    }
    for (const entry of ready.committedEntries) this.apply(node, entry);
    node.readStates.push(...ready.readStates);
    node.readFailures.push(...ready.readFailures);
    if (ready.snapshotRequested) node.snapshotsRequested += 1;
    if (ready.softState?.role === 'leader') this.recordLeader(ready.softState.term, node.id);
    node.core.advance();
    this.check(node);
  }

  private recordLeader(term: number, id: NodeId): void {
    const leaders = this.leadersByTerm.get(term) ?? new Set();
    leaders.add(id);
    this.leadersByTerm.set(term, leaders);
  }

  private installSnapshot(node: TestNode, metadata: SnapshotMetadata): void {
    const total = node.incomingChunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const data = new Uint8Array(total);
    let offset = 0;
    for (const chunk of node.incomingChunks) {
      data.set(chunk, offset);
      offset += chunk.byteLength;
    }
    if (total !== metadata.sizeBytes) throw new Error(`${node.id}: snapshot of ${total} bytes, expected ${metadata.sizeBytes}`);
    node.incomingChunks = [];
    node.storage.snapshot = metadata;
    node.storage.snapshotData.set(metadata.index, data);
    node.storage.entries = [];
    node.applied = JSON.parse(text(data)) as string[];
    node.appliedIndex = metadata.index;
  }

  private fillSnapshotData(node: TestNode, message: Message): Message {
    if (message.type !== 'install-snapshot') return message;
    const data = node.storage.snapshotData.get(message.metadata.index);
    if (data === undefined) throw new Error(`${node.id}: no snapshot data for ${message.metadata.index}`);
    return { ...message, data: data.slice(message.offset, message.offset + message.length) };
  }

  private apply(node: TestNode, entry: Entry): void {
    // The state machine skips what it already applied (after a restart the core re-delivers).
    if (entry.index <= node.appliedIndex) return;
    if (entry.index !== node.appliedIndex + 1) throw new Error(`${node.id}: applied ${entry.index} after ${node.appliedIndex}`);
    node.appliedIndex = entry.index;
    const payload = entry.type === 'normal' ? text(entry.data) : entry.type;
    if (entry.type === 'normal') node.applied.push(payload);
    const recorded = `${entry.term}:${payload}`;
    const previous = node.appliedLog.get(entry.index);
    if (previous !== undefined && previous !== recorded) {
      throw new Error(`${node.id}: index ${entry.index} applied as ${previous} then ${recorded}`);
    }
    node.appliedLog.set(entry.index, recorded);
  }

  /** Takes a snapshot of a node's state machine at its applied index and compacts its log. */
  snapshot(id: NodeId): SnapshotMetadata {
    const node = this.node(id);
    const data = bytes(JSON.stringify(node.applied));
    const metadata = node.core.compact(node.appliedIndex, data.byteLength);
    node.storage.snapshotData.set(metadata.index, data);
    node.storage.snapshot = metadata;
    // The driver may drop stored entries up to the snapshot (the core keeps a trailing window in memory).
    node.storage.entries = node.storage.entries.filter((entry) => entry.index > metadata.index);
    return metadata;
  }

  private dropped(message: Message): boolean {
    const target = this.nodes.get(message.to);
    if (target === undefined || !target.alive) return true;
    return this.dropRules.some((rule) => rule(message));
  }

  /** Delivers every queued message once (new ones wait for the next call). */
  deliverOnce(filter: (message: Message) => boolean = () => true): number {
    const batch = this.queue;
    this.queue = [];
    let delivered = 0;
    for (const message of batch) {
      if (!filter(message)) {
        this.queue.push(message);
        continue;
      }
      if (this.dropped(message)) continue;
      const node = this.node(message.to);
      node.core.step(message);
      this.check(node);
      delivered += 1;
    }
    return delivered;
  }

  /** Delivers (or drops) the queued message at `position` (modulo the queue length); reorders freely. */
  deliverAt(position: number, drop = false): void {
    if (this.queue.length === 0) return;
    const [message] = this.queue.splice(position % this.queue.length, 1);
    if (message === undefined || drop || this.dropped(message)) return;
    const node = this.node(message.to);
    node.core.step(message);
    this.check(node);
  }

  /** Processes readies and delivers until nothing moves. */
  stabilize(roundsMax = 1000): void {
    for (let round = 0; round < roundsMax; round += 1) {
      this.processReadies();
      if (this.queue.length === 0) return;
      this.deliverOnce();
    }
    throw new Error('network did not stabilize');
  }

  tick(id: NodeId, times = 1): void {
    const node = this.node(id);
    for (let i = 0; i < times; i += 1) {
      node.core.tick();
      this.check(node);
    }
  }

  /** Ticks every live node `times` times, stabilizing after each tick. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i += 1) {
      for (const node of this.nodes.values()) if (node.alive) this.tick(node.id);
      this.stabilize();
    }
  }

  /** Makes `id` campaign by ticking only it past its election timeout, then settles. */
  elect(id: NodeId): void {
    for (let i = 0; i < 2 * this.options.electionTimeoutTicks && this.core(id).status().role === 'follower'; i += 1) {
      this.tick(id);
    }
    this.stabilize();
    const role = this.core(id).status().role;
    if (role !== 'leader') throw new Error(`${id} did not become leader (${role})`);
  }

  propose(id: NodeId, payload: string): ReturnType<RaftCore['propose']> {
    const result = this.core(id).propose(bytes(payload));
    return result;
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((node) => node.alive && node.core.status().role === 'leader').map((node) => node.id);
  }

  /** Cuts `id` off from everyone (both directions). */
  isolate(id: NodeId): void {
    this.dropRules.push((message) => message.from === id || message.to === id);
  }

  /** Only members of the same group talk. */
  partition(...groups: readonly (readonly NodeId[])[]): void {
    const groupOf = (id: NodeId): number => groups.findIndex((group) => group.includes(id));
    this.dropRules.push((message) => groupOf(message.from) !== groupOf(message.to));
  }

  heal(): void {
    this.dropRules = [];
  }

  crash(id: NodeId): void {
    this.node(id).alive = false;
  }

  /** Rebuilds the core from what it persisted; the state machine reloads the snapshot. */
  restart(id: NodeId, membership?: Membership): void {
    const node = this.node(id);
    const initial = membership ?? node.initialMembership;
    node.core = this.createCore(id, node.storage, initial);
    const snapshot = node.storage.snapshot;
    const data = snapshot === null ? undefined : node.storage.snapshotData.get(snapshot.index);
    node.applied = data === undefined ? [] : (JSON.parse(text(data)) as string[]);
    node.appliedIndex = snapshot?.index ?? 0;
    node.incomingChunks = [];
    node.alive = true;
    this.check(node);
  }

  private check(node: TestNode): void {
    if (this.checking) node.core.checkInvariants();
  }

  /** State machine safety: no two nodes applied different entries at the same index. */
  assertSafety(): void {
    const byIndex = new Map<number, string>();
    for (const node of this.nodes.values()) {
      for (const [index, recorded] of node.appliedLog) {
        const other = byIndex.get(index);
        if (other !== undefined && other !== recorded) throw new Error(`index ${index}: ${other} vs ${recorded} (${node.id})`);
        byIndex.set(index, recorded);
      }
    }
    for (const [term, leaders] of this.leadersByTerm) {
      if (leaders.size > 1) throw new Error(`term ${term} had leaders ${[...leaders].join(',')}`);
    }
  }
}

/** Messages of one type in a list. */
export function ofType<T extends Message['type']>(messages: readonly Message[], type: T): Extract<Message, { type: T }>[] {
  return messages.filter((message): message is Extract<Message, { type: T }> => message.type === type);
}

export function voters(...ids: NodeId[]): Membership {
  return { voters: ids, learners: [], votersOutgoing: [] };
}

export interface SingleCoreOptions {
  readonly options?: Partial<RaftOptions>;
  readonly restore?: { hardState?: HardState | null; snapshot?: SnapshotMetadata | null; entries?: Entry[] };
  readonly seed?: number;
}

/** A lone core for rule-level tests that step messages by hand. */
export function singleCore(id: NodeId, membership: Membership, config: SingleCoreOptions = {}): RaftCore {
  return new RaftCore({
    id,
    initialMembership: membership,
    restore: {
      hardState: config.restore?.hardState ?? null,
      snapshot: config.restore?.snapshot ?? null,
      entries: config.restore?.entries ?? [],
    },
    options: { ...defaultRaftOptions, ...config.options },
    prng: createPrng(config.seed ?? 7),
  });
}

/** Takes the pending Ready (if any) and advances; returns it (or an empty one). */
export function drain(core: RaftCore): Ready {
  if (!core.hasReady()) {
    return {
      softState: null,
      hardState: null,
      entries: [],
      snapshotChunks: [],
      snapshotToInstall: null,
      messages: [],
      committedEntries: [],
      readStates: [],
      readFailures: [],
      forwardedProposals: [],
      snapshotRequested: false,
      mustSync: false,
    };
  }
  const ready = core.ready();
  core.advance();
  core.checkInvariants();
  return ready;
}

/** Entries for a restore or an append: terms[i] is the term of index i + 1 (or of `from` + i). */
export function entriesWithTerms(terms: readonly number[], from = 1): Entry[] {
  return terms.map((term, offset) => ({ type: 'normal', term, index: from + offset, data: bytes(`e${from + offset}`) }));
}

/** Drives a lone core through pre-vote and vote to leadership, granting from `grantors`. */
export function makeLeader(core: RaftCore, grantors: readonly NodeId[]): Ready {
  for (let i = 0; i < 100 && core.status().role === 'follower'; i += 1) core.tick();
  let ready = drain(core);
  if (core.status().role === 'pre-candidate') {
    const term = core.status().term + 1;
    for (const from of grantors) core.step({ type: 'pre-vote-response', from, to: core.id, term, granted: true });
    ready = drain(core);
  }
  const term = core.status().term;
  for (const from of grantors) core.step({ type: 'vote-response', from, to: core.id, term, granted: true });
  ready = drain(core);
  if (core.status().role !== 'leader') throw new Error(`${core.id} is ${core.status().role}`);
  return ready;
}
