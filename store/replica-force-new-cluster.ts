import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, FlotillaError, type Logger } from '../common/index.ts';
import type { Entry, HardState, Membership, NodeId } from '../raft/index.ts';
import { recoverDirectorySwap } from './directory-swap.ts';
import { openLayout, readMeta } from './layout.ts';
import { LevelLogStorage } from './level-log-storage.ts';
import { LevelStableStorage } from './level-stable-storage.ts';
import { directoryEntryData, MemberDirectory } from './replica-directory.ts';
import { loadOrCreateIdentity, type ReplicaIdentity } from './replica-identity.ts';
import { openReplicaDatabase, type ReplicaDatabase } from './replica-state-machine.ts';

/** What a stopped replica's data directory holds (printed before and after `flotilla recover`). */
export interface ReplicaDataFacts {
  readonly identity: ReplicaIdentity;
  readonly term: number;
  readonly lastIndex: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly revision: number;
  /** The membership its log (or snapshot) records; null: the bootstrap one from the `--initial-cluster` flags. */
  readonly membership: Membership | null;
  /** Members in its replicated member directory. */
  readonly directoryMembers: readonly NodeId[];
}

export interface ForceNewClusterResult {
  readonly before: ReplicaDataFacts;
  /** Index of the new membership entry (every entry up to it is now committed). */
  readonly membershipIndex: number;
  readonly removedFromDirectory: readonly NodeId[];
}

/** Bytes of log read per round trip while looking for the last membership entry. */
const scanBytes = 4 * 1024 * 1024;

/** Reads the facts of a stopped replica's data directory without changing it. */
export async function inspectReplicaDataDir(dataDir: string, logger: Logger): Promise<ReplicaDataFacts> {
  return withReplicaDatabase(dataDir, logger, async (parts) => parts.facts);
}

/**
 * etcd's `--force-new-cluster` for one stopped replica: appends to its own log a membership entry
 * naming it the only voter, plus directory deletions for every other member, and records all of
 * its log (up to those entries) as committed. Started again with `flotilla server`, it is a
 * one-member cluster holding everything it had — including entries it had received but not yet
 * seen committed, which the old majority may well have committed (etcd does the same). What it
 * never received is lost: recover the survivor with the highest log index. The other replicas'
 * data belongs to the old membership: wipe them and join them again (as learners, then promoted).
 */
export async function forceNewCluster(dataDir: string, logger: Logger): Promise<ForceNewClusterResult> {
  return withReplicaDatabase(dataDir, logger, async ({ facts, log, stable }) => {
    const self = facts.identity.nodeId;
    const term = Math.max(facts.term, await lastTerm(log, stable));
    const removedFromDirectory = facts.directoryMembers.filter((nodeId) => nodeId !== self);
    const first = log.lastIndex() + 1;
    const entries: Entry[] = [
      { type: 'membership', term, index: first, membership: { voters: [self], learners: [], votersOutgoing: [] } },
      ...removedFromDirectory.map((nodeId, offset): Entry => ({
        type: 'normal',
        term,
        index: first + 1 + offset,
        data: directoryEntryData({ type: 'member-delete', nodeId }),
      })),
    ];
    const last = first + entries.length - 1;
    const hardState: HardState = { term, votedFor: stable.hardState()?.votedFor ?? null, commitIndex: last };
    const batch = log.batch();
    log.append(batch, entries);
    stable.setHardState(batch, hardState);
    await log.write(batch, { sync: true });
    logger.warn({ member: self, membershipIndex: first, term, removedFromDirectory }, 'forced a new one-member cluster');
    return { before: facts, membershipIndex: first, removedFromDirectory };
  });
}

interface OpenParts {
  readonly facts: ReplicaDataFacts;
  readonly log: LevelLogStorage;
  readonly stable: LevelStableStorage;
}

async function withReplicaDatabase<T>(dataDir: string, logger: Logger, use: (parts: OpenParts) => Promise<T>): Promise<T> {
  const identityPath = join(dataDir, 'member.json');
  if (!(await stat(identityPath).catch(() => null))?.isFile()) {
    throw new FlotillaError(ErrorCode.invalidArgument, `${dataDir} is not a replica's data directory (no member.json)`);
  }
  // The file exists, so this only reads it.
  const { identity } = await loadOrCreateIdentity(dataDir, { name: '', nodeId: '', clusterToken: '' });
  const databaseDirectory = join(dataDir, 'db');
  await recoverDirectorySwap(databaseDirectory);
  const db = openReplicaDatabase(databaseDirectory);
  try {
    await db.open();
  } catch (cause) {
    throw new FlotillaError(ErrorCode.invalidArgument, `cannot open ${databaseDirectory}: is a flotilla server still running on it? Stop it first`, { cause });
  }
  try {
    const log = await LevelLogStorage.open(db, { logger });
    const stable = await LevelStableStorage.open(db);
    const facts = await readFacts(db, identity, log, stable);
    return await use({ facts, log, stable });
  } finally {
    await db.close();
  }
}

async function readFacts(db: ReplicaDatabase, identity: ReplicaIdentity, log: LevelLogStorage, stable: LevelStableStorage): Promise<ReplicaDataFacts> {
  const meta = await readMeta(openLayout(db));
  const directory = await MemberDirectory.open(db);
  return {
    identity,
    term: stable.hardState()?.term ?? 0,
    lastIndex: log.lastIndex(),
    commitIndex: stable.hardState()?.commitIndex ?? 0,
    appliedIndex: meta.appliedIndex,
    revision: meta.revision,
    membership: (await lastMembershipEntry(log)) ?? stable.snapshot()?.membership ?? null,
    directoryMembers: directory.list().map((record) => record.nodeId),
  };
}

async function lastMembershipEntry(log: LevelLogStorage): Promise<Membership | null> {
  let found: Membership | null = null;
  const end = log.lastIndex() + 1;
  for (let next = log.firstIndex(); next < end; ) {
    const part = await log.entries(next, end, scanBytes);
    if (part.length === 0) break;
    for (const entry of part) if (entry.type === 'membership') found = entry.membership;
    next = (part[part.length - 1]?.index ?? next) + 1;
  }
  return found;
}

async function lastTerm(log: LevelLogStorage, stable: LevelStableStorage): Promise<number> {
  const last = log.lastIndex();
  const [entry] = last >= log.firstIndex() ? await log.entries(last, last + 1, scanBytes) : [];
  return entry?.term ?? stable.snapshot()?.term ?? 0;
}
