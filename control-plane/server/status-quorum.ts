/** One member as a reachable replica's MemberList shows it (its local view: no leader needed). */
export interface ListedMember {
  readonly id: bigint;
  readonly name: string;
  readonly clientUrls: readonly string[];
  readonly isLearner: boolean;
}

export interface QuorumInput {
  /** The membership as the best-informed reachable member sees it; null when nobody answered. */
  readonly members: readonly ListedMember[] | null;
  /** Member IDs that answered Maintenance.Status, with their commit index. */
  readonly answered: ReadonlyMap<bigint, { readonly commitIndex: number }>;
  readonly leaderId: bigint | null;
}

/** Raft needs a majority of the voters; learners do not count. */
export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * The lines `flotilla status` adds about quorum: how many voters answer, how many are needed, and
 * — when writes have stopped — exactly which members to bring back, or how to recover without them.
 */
export function quorumLines(input: QuorumInput): string[] {
  if (input.members === null) {
    return [
      'NOTHING ANSWERED: every endpoint asked is down or unreachable.',
      '  After a power cut, start every control-plane VM (systemctl start flotilla-server): they elect a leader',
      '  by themselves once a majority runs. Check the --endpoints given (each server\'s --client-listen).',
    ];
  }
  const voters = input.members.filter((member) => !member.isLearner);
  const quorum = quorumOf(voters.length);
  const answering = voters.filter((member) => input.answered.has(member.id));
  const missing = voters.filter((member) => !input.answered.has(member.id));
  const counts = `${answering.length} of ${voters.length} voters answer, ${quorum} needed`;
  if (input.leaderId !== null) {
    if (missing.length === 0) return [`Quorum: ${counts}.`];
    const spare = answering.length - quorum;
    return [`Quorum: ${counts}; ${spare === 0 ? 'one more failure stops writes' : `${spare} more can fail before writes stop`}. Missing: ${describe(missing)}.`];
  }
  if (answering.length >= quorum) {
    return [
      `No leader yet, but ${counts}: an election is running (normal for a few seconds after a restart).`,
      '  If it lasts, check that the voters reach each other\'s peer port (--peer-listen) and run the same version.',
    ];
  }
  const best = [...answering].sort((left, right) => (input.answered.get(right.id)?.commitIndex ?? 0) - (input.answered.get(left.id)?.commitIndex ?? 0))[0];
  return [
    `QUORUM LOST: only ${counts}. Writes and linearizable reads stop until ${quorum - answering.length} more of these are back:`,
    ...missing.map((member) => `  - ${describe([member])}`),
    '  Start them (systemctl start flotilla-server on their VMs): the cluster resumes by itself, no other step.',
    '  If they are gone for good, make a survivor a new one-member cluster and join the others again',
    '  (docs/homelab.md, "Lost quorum"):',
    `    stop flotilla server on ${best === undefined ? 'the survivor with the highest commit index' : `${nameOf(best)} (highest commit index answering: ${input.answered.get(best.id)?.commitIndex ?? 0})`},`,
    '    flotilla recover --data-dir <its data dir>, start it, then flotilla join --role server on each other VM (data dir wiped).',
  ];
}

function nameOf(member: ListedMember): string {
  return member.name === '' ? member.id.toString(16) : member.name;
}

function describe(members: readonly ListedMember[]): string {
  return members.map((member) => `${nameOf(member)}${member.clientUrls.length === 0 ? '' : ` (${member.clientUrls.join(', ')})`}`).join(', ');
}
