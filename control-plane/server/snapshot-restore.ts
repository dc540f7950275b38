import { createReadStream } from 'node:fs';
import type { Logger } from '../../common/index.ts';
import { defaultClusterToken, formatHostPort, restoreReplicaDataDir, type InitialClusterMember, type RestoredReplica } from '../../store/index.ts';
import { inspectSnapshotFile } from './snapshot-save.ts';

export interface SnapshotRestoreRequest {
  readonly file: string;
  readonly dataDir: string;
  readonly name: string;
  readonly initialCluster: readonly InitialClusterMember[];
  /** Null: the default token of a new cluster with these names. */
  readonly clusterToken: string | null;
  readonly logger: Logger;
}

/**
 * `flotilla snapshot restore`: verifies the file end to end first (a bad backup is refused before
 * anything is written), then builds the member's data directory (store/replica-restore.ts). Run
 * it on every member of the new cluster with the same file and the same `--initial-cluster`.
 */
export async function restoreSnapshot(request: SnapshotRestoreRequest): Promise<RestoredReplica> {
  await inspectSnapshotFile(request.file);
  return restoreReplicaDataDir({
    dataDir: request.dataDir,
    name: request.name,
    initialCluster: request.initialCluster,
    clusterToken: request.clusterToken ?? defaultClusterToken(request.initialCluster, null),
    openSnapshot: () => createReadStream(request.file),
    logger: request.logger,
  });
}

/** What to run next, printed after a restore. */
export function restoreNextSteps(request: SnapshotRestoreRequest, restored: RestoredReplica): string {
  const cluster = request.initialCluster.map((member) => `${member.name}=${formatHostPort(member.address)}`).join(',');
  return [
    `Restored ${request.dataDir} as member ${request.name} of a new cluster (${restored.membership.voters.join(', ')}):`,
    `  store revision ${restored.revision}, raft index ${restored.index} (term ${restored.term}).`,
    'Restore the same file on every member listed, then start each one as usual, for example:',
    `  flotilla server --name ${request.name} --data-dir ${request.dataDir} --initial-cluster ${cluster} ...`,
    '(initial-cluster-state new; the identity and cluster token are now in the data directory).',
    '',
  ].join('\n');
}
