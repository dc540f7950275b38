import type { PartitionSide } from '../experiment.ts';

export interface PartitionPlan {
  /** Replicas in different groups lose their links. */
  readonly groups: readonly (readonly string[])[];
  /** Whether the leader ends up on a side without a quorum (the majority must elect another). */
  readonly removesLeader: boolean;
  readonly description: string;
}

/**
 * Which replicas a partition cuts off, given the current leader. The replicas picked besides the
 * leader are the first by name, so a run is reproducible. Pure.
 */
export function planPartition(side: PartitionSide, servers: readonly string[], leader: string | null, resolveTarget: (name: string) => string): PartitionPlan {
  const quorum = Math.floor(servers.length / 2) + 1;
  const sorted = [...servers].sort();
  const others = sorted.filter((name) => name !== leader);
  let cutOff: string[];
  if (side.kind === 'groups') {
    const leaderGroup = side.groups.find((group) => leader !== null && group.includes(leader));
    return {
      groups: side.groups,
      removesLeader: leader !== null && (leaderGroup === undefined || leaderGroup.length < quorum),
      description: `partition ${side.groups.map((group) => `[${group.join(', ')}]`).join(' | ')}${leader === null ? '' : ` (leader ${leader})`}`,
    };
  }
  if (side.kind === 'replica') {
    cutOff = [resolveTarget(side.target.kind === 'leader' ? (leader ?? '') : side.target.name)];
  } else {
    const size = side.kind === 'minority' ? quorum - 1 : quorum;
    cutOff = side.withLeader && leader !== null ? [leader, ...others.slice(0, size - 1)] : others.slice(0, size);
  }
  const rest = sorted.filter((name) => !cutOff.includes(name));
  const leaderSide = leader === null ? null : cutOff.includes(leader) ? cutOff : rest;
  const what = side.kind === 'replica' ? 'isolate' : `isolate a ${side.kind}${side.withLeader ? ' with the leader' : ' without the leader'}:`;
  return {
    groups: [cutOff, rest],
    removesLeader: leaderSide !== null && leaderSide.length < quorum,
    description: `${what} [${cutOff.join(', ')}] from [${rest.join(', ')}]${leader === null ? '' : ` (leader ${leader})`}`,
  };
}

/** The directed links a partition cuts. */
export function linksAcross(groups: readonly (readonly string[])[]): [string, string][] {
  const groupOf = new Map<string, number>();
  groups.forEach((group, index) => group.forEach((name) => groupOf.set(name, index)));
  const names = [...groupOf.keys()];
  return names.flatMap((from) => names.filter((to) => groupOf.get(from) !== groupOf.get(to)).map((to): [string, string] => [from, to]));
}
