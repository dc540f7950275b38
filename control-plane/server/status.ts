import type { ServiceError } from '@grpc/grpc-js';
import { EtcdWireClient } from '../../store/index.ts';
import { quorumLines, type ListedMember } from './status-quorum.ts';

/** What etcd's Maintenance.Status and Cluster.MemberList give, as proto-loader decodes them (longs as strings). */
interface WireStatus {
  readonly header: { readonly member_id: string; readonly raft_term: string };
  readonly leader: string;
  readonly raftIndex: string;
  readonly raftTerm: string;
  readonly raftAppliedIndex: string;
  readonly isLearner: boolean;
  readonly errors: readonly string[];
  readonly dbSize: string;
}

interface WireMemberList {
  readonly members: ReadonlyArray<{ readonly ID: string; readonly name: string; readonly isLearner: boolean; readonly clientURLs: readonly string[] }>;
}

export interface MemberStatus {
  readonly endpoint: string;
  readonly reachable: true;
  readonly memberId: bigint;
  readonly name: string;
  readonly role: 'leader' | 'follower' | 'learner' | 'no leader';
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly leaderId: bigint;
  readonly errors: readonly string[];
}

export interface UnreachableMember {
  readonly endpoint: string;
  readonly reachable: false;
  readonly error: string;
}

export type EndpointStatus = MemberStatus | UnreachableMember;

export interface StatusReport {
  readonly members: readonly EndpointStatus[];
  /** The leader the reachable members agree on, or null. */
  readonly leaderId: bigint | null;
  readonly names: ReadonlyMap<bigint, string>;
  /** The membership as the reachable member in the highest term lists it (null: nobody answered). */
  readonly membership: readonly ListedMember[] | null;
}

/** Asks every endpoint for its Maintenance.Status (and the member names) in parallel. */
export async function collectStatus(endpoints: readonly string[], timeoutMs: number): Promise<StatusReport> {
  const names = new Map<bigint, string>();
  let membership: { term: number; members: ListedMember[] } | null = null;
  const results = await Promise.all(
    endpoints.map(async (endpoint): Promise<{ status: WireStatus | null; error: string | null; endpoint: string }> => {
      const client = new EtcdWireClient(endpoint);
      try {
        const [status, list] = await Promise.all([
          client.call<WireStatus>('Maintenance', 'Status', {}, timeoutMs),
          client.call<WireMemberList>('Cluster', 'MemberList', {}, timeoutMs).catch(() => null),
        ]);
        for (const member of list?.members ?? []) if (member.name !== '') names.set(BigInt(member.ID), member.name);
        if (list !== null && (membership === null || Number(status.raftTerm) > membership.term)) membership = { term: Number(status.raftTerm), members: list.members.map(listedMember) };
        return { status, error: null, endpoint };
      } catch (error) {
        const serviceError = error as Partial<ServiceError>;
        return { status: null, error: serviceError.details ?? (error as Error).message, endpoint };
      } finally {
        client.close();
      }
    }),
  );
  const members: EndpointStatus[] = results.map(({ status, error, endpoint }) => {
    if (status === null) return { endpoint, reachable: false, error: error ?? 'no answer' };
    const memberId = BigInt(status.header.member_id);
    const leaderId = BigInt(status.leader);
    const role = leaderId === 0n ? 'no leader' : leaderId === memberId ? 'leader' : status.isLearner ? 'learner' : 'follower';
    return {
      endpoint,
      reachable: true,
      memberId,
      name: names.get(memberId) ?? '',
      role,
      term: Number(status.raftTerm),
      commitIndex: Number(status.raftIndex),
      appliedIndex: Number(status.raftAppliedIndex),
      leaderId,
      errors: status.errors,
    };
  });
  return { members, leaderId: agreedLeader(members), names, membership: (membership as { members: ListedMember[] } | null)?.members ?? null };
}

function listedMember(member: WireMemberList['members'][number]): ListedMember {
  return { id: BigInt(member.ID), name: member.name, clientUrls: [...member.clientURLs], isLearner: member.isLearner };
}

/** The leader known by the reachable members in the highest term (0 = none). */
function agreedLeader(members: readonly EndpointStatus[]): bigint | null {
  let best: MemberStatus | null = null;
  for (const member of members) {
    if (!member.reachable || member.leaderId === 0n) continue;
    if (best === null || member.term > best.term) best = member;
  }
  return best?.leaderId ?? null;
}

/** The report as `flotilla status` prints it, and whether everything is healthy. */
export function formatStatus(report: StatusReport): { text: string; healthy: boolean } {
  const nameOf = (id: bigint): string => report.names.get(id) ?? id.toString(16);
  const leader = report.members.find((member): member is MemberStatus => member.reachable && member.memberId === report.leaderId);
  const rows: string[][] = [['ENDPOINT', 'NAME', 'MEMBER ID', 'ROLE', 'TERM', 'COMMIT', 'APPLIED', 'LAG', 'LEADER']];
  for (const member of report.members) {
    if (!member.reachable) {
      rows.push([member.endpoint, '-', '-', 'unreachable', '-', '-', '-', '-', '-']);
      continue;
    }
    // Lag: entries this member still has to apply to reach the leader's commit index (its own if the leader is not reachable).
    const target = leader?.commitIndex ?? member.commitIndex;
    rows.push([
      member.endpoint,
      member.name === '' ? '-' : member.name,
      member.memberId.toString(16),
      member.role,
      String(member.term),
      String(member.commitIndex),
      String(member.appliedIndex),
      String(Math.max(0, target - member.appliedIndex)),
      member.leaderId === 0n ? '-' : nameOf(member.leaderId),
    ]);
  }
  const lines = [...table(rows), ''];
  const unreachable = report.members.filter((member): member is UnreachableMember => !member.reachable);
  const total = report.members.length;
  if (report.leaderId === null) lines.push('NO LEADER: no reachable member knows a leader; writes and linearizable reads are unavailable.');
  else lines.push(`Leader: ${nameOf(report.leaderId)} (${report.leaderId.toString(16)})${leader === undefined ? ', not among the endpoints asked' : ''}.`);
  if (unreachable.length > 0) {
    lines.push(`${unreachable.length} of ${total} members unreachable:`);
    for (const member of unreachable) lines.push(`  ${member.endpoint}: ${member.error}`);
  } else {
    lines.push(`All ${total} members reachable.`);
  }
  for (const member of report.members) if (member.reachable) for (const error of member.errors) lines.push(`${member.endpoint}: ${error}`);
  const answered = new Map(report.members.filter((member): member is MemberStatus => member.reachable).map((member) => [member.memberId, member]));
  lines.push(...quorumLines({ members: report.membership, answered, leaderId: report.leaderId }));
  return { text: `${lines.join('\n')}\n`, healthy: report.leaderId !== null && unreachable.length === 0 };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd());
}

/** `flotilla status`: prints the table; exit code 0 when a leader is known and every endpoint answered, else 1. */
export async function runStatus(endpoints: readonly string[], options: { timeoutMs: number; write: (text: string) => void }): Promise<number> {
  const report = await collectStatus(endpoints, options.timeoutMs);
  const { text, healthy } = formatStatus(report);
  options.write(text);
  return healthy ? 0 : 1;
}
