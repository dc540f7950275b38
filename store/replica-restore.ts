import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, FlotillaError, type Logger } from '../common/index.ts';
import type { Membership, SnapshotMetadata } from '../raft/index.ts';
import { FileSnapshotStore } from './file-snapshot-store.ts';
import { seedRaftState } from './level-stable-storage.ts';
import { loadOrCreateIdentity, type InitialClusterMember } from './replica-identity.ts';
import { encodeSnapshotHeader, openReplicaDatabase } from './replica-state-machine.ts';
import { installSnapshot } from './snapshot.ts';

export interface RestoreReplicaOptions {
  /** Must not exist yet, or be empty. */
  readonly dataDir: string;
  readonly name: string;
  /** The new cluster's members (every one restores the same file with the same list). */
  readonly initialCluster: readonly InitialClusterMember[];
  readonly clusterToken: string;
  /** Reads the store snapshot file from its start; called twice (the database, then the Raft snapshot copy). */
  readonly openSnapshot: () => AsyncIterable<Uint8Array>;
  readonly logger: Logger;
}

export interface RestoredReplica {
  readonly index: number;
  readonly term: number;
  readonly revision: number;
  readonly membership: Membership;
}

/**
 * A new member's data directory from a store snapshot, like `etcdutl snapshot restore`: the store
 * installed into a fresh database, and Raft seeded as if that member had just taken a snapshot at
 * the store's applied index whose membership is the new `--initial-cluster` (all voters). Every
 * member restored from the same file with the same list starts from the same state, so they form
 * one cluster when started with `flotilla server` (initial-cluster-state `new`). The old cluster's
 * membership and member directory are dropped; the data (objects, leases, the cluster CA and
 * tokens) are kept. Built in `<data-dir>.restoring` and renamed into place, so a failed restore
 * leaves nothing that looks like a replica.
 */
export async function restoreReplicaDataDir(options: RestoreReplicaOptions): Promise<RestoredReplica> {
  await assertEmptyOrMissing(options.dataDir);
  const building = `${options.dataDir}.restoring`;
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { recursive: true });
  try {
    const restored = await build(building, options);
    await rm(options.dataDir, { recursive: true, force: true });
    await rename(building, options.dataDir);
    return restored;
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

async function build(directory: string, options: RestoreReplicaOptions): Promise<RestoredReplica> {
  const membership: Membership = { voters: options.initialCluster.map((member) => member.name), learners: [], votersOutgoing: [] };
  const db = openReplicaDatabase(join(directory, 'db'));
  await db.open();
  try {
    const meta = await installSnapshot(db, options.openSnapshot());
    if (meta.appliedIndex < 1) throw new FlotillaError(ErrorCode.invalidArgument, 'the snapshot covers no Raft entry (applied index 0): nothing to restore');
    // The snapshot store must hold the same state as the database: a leader sends it to members that fall behind.
    const snapshots = await FileSnapshotStore.open(join(directory, 'snapshots'), { logger: options.logger });
    const header = encodeSnapshotHeader({ formatVersion: 1, members: [] });
    const sizeBytes = await snapshots.save(meta.appliedIndex, prefixed(header, options.openSnapshot()));
    const metadata: SnapshotMetadata = { index: meta.appliedIndex, term: meta.appliedTerm, membership, sizeBytes };
    await snapshots.commit(metadata);
    await seedRaftState(db, { hardState: { term: meta.appliedTerm, votedFor: null, commitIndex: meta.appliedIndex }, snapshot: metadata });
    await loadOrCreateIdentity(directory, { name: options.name, nodeId: options.name, clusterToken: options.clusterToken });
    return { index: meta.appliedIndex, term: meta.appliedTerm, revision: meta.revision, membership };
  } finally {
    await db.close();
  }
}

async function* prefixed(header: Uint8Array, rest: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield header;
  yield* rest;
}

async function assertEmptyOrMissing(directory: string): Promise<void> {
  const names = await readdir(directory).catch(() => []);
  if (names.length > 0) {
    throw new FlotillaError(ErrorCode.invalidArgument, `${directory} is not empty: restore into a new (or empty) data directory`);
  }
}
