import type { Logger } from '../../common/index.ts';
import { forceNewCluster, inspectReplicaDataDir, type ReplicaDataFacts } from '../../store/index.ts';

export interface RecoverRequest {
  readonly dataDir: string;
  /** Only print what the data directory holds. */
  readonly dryRun: boolean;
  readonly logger: Logger;
}

/**
 * `flotilla recover`: after the loss of quorum for good, makes ONE stopped survivor a one-member
 * cluster from its own data (store/replica-force-new-cluster.ts), and says what to do next.
 * Returns the text to print.
 */
export async function runRecover(request: RecoverRequest): Promise<string> {
  if (request.dryRun) {
    const facts = await inspectReplicaDataDir(request.dataDir, request.logger);
    return `${describeFacts(request.dataDir, facts)}(dry run: nothing changed)\n`;
  }
  const result = await forceNewCluster(request.dataDir, request.logger);
  const name = result.before.identity.name;
  return [
    describeFacts(request.dataDir, result.before),
    `Recovered: ${name} is now the only voter of its cluster (membership entry at index ${result.membershipIndex};`,
    `every entry it holds is committed${result.removedFromDirectory.length === 0 ? '' : `; removed from the directory: ${result.removedFromDirectory.join(', ')}`}).`,
    'Next:',
    `  1. start it as before (systemctl start flotilla-server, or the same flotilla server command): it leads alone;`,
    '  2. on every other control-plane VM: stop flotilla-server, wipe its data dir (it belongs to the old membership),',
    '     and run flotilla join --role server with a token from `flotilla token` (it joins as a learner and is promoted);',
    '  3. flotilla status --endpoints ... shows the voters coming back.',
    '',
  ].join('\n');
}

function describeFacts(dataDir: string, facts: ReplicaDataFacts): string {
  const membership = facts.membership === null
    ? 'the bootstrap members of its --initial-cluster'
    : `voters ${facts.membership.voters.join(', ') || '-'}${facts.membership.learners.length === 0 ? '' : `, learners ${facts.membership.learners.join(', ')}`}`;
  return [
    `Data directory ${dataDir}: member ${facts.identity.name} (raft id ${facts.identity.nodeId})`,
    `  term ${facts.term}, last log index ${facts.lastIndex}, commit ${facts.commitIndex}, applied ${facts.appliedIndex}, store revision ${facts.revision}`,
    `  membership: ${membership}`,
    '  (recover the survivor with the highest last log index: whatever it never received is lost)',
    '',
  ].join('\n');
}
