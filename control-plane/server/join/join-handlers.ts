import type { Logger } from '../../../common/index.ts';
import { formatHostPort, hostPortOfUrl, nodeIdForPeerAddress, type Replica, type ReplicaMember, type ReplicatedBackend } from '../../../store/index.ts';
import { JoinHttpError, JoinServiceLimits } from './join-http.ts';
import type { JoinRecord } from './join-record.ts';

export interface JoinHandlerContext {
  readonly replica: Replica;
  readonly backend: ReplicatedBackend;
  readonly logger: Logger;
}

/** A server joining: its name and peer URL; `replace` removes a member that holds either first. */
export interface ServerJoinRequest {
  readonly name: string;
  readonly peerUrl: string;
  readonly replace: boolean;
}

export interface ServerJoinAnswer {
  readonly clusterToken: string;
  readonly clusterName: string;
  /** The other members, for the joiner's --initial-cluster (members not started yet have no name and are left out). */
  readonly members: ReadonlyArray<{ readonly name: string; readonly peerAddress: string }>;
  readonly natsUser: string | null;
  readonly natsPassword: string | null;
  /** The joiner's etcd member ID, hex. */
  readonly memberId: string;
}

export interface AgentJoinAnswer {
  readonly clusterName: string;
  readonly natsUrls: readonly string[];
  readonly natsUser: string | null;
  readonly natsPassword: string | null;
}

const memberNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** A Node name: a DNS subdomain (lowercase), as Kubernetes requires. */
const nodeNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseServerJoin(body: Record<string, unknown>): ServerJoinRequest {
  const { name, peerUrl, replace } = body;
  if (typeof name !== 'string' || !memberNamePattern.test(name)) throw new JoinHttpError(400, 'name: letters, digits, ".", "_" or "-", at most 63');
  if (typeof peerUrl !== 'string' || !/^http:\/\//.test(peerUrl) || hostPortOfUrl(peerUrl) === null) throw new JoinHttpError(400, 'peerUrl: expected http://HOST:PORT');
  return { name, peerUrl, replace: replace === true };
}

/**
 * Adds the joiner as a learner (through the leader, like etcdctl member add --learner). Asking
 * again for the same name and peer URL while it is still a learner is answered the same way, so a
 * joiner that failed after the add can simply run again. A member already holding the name or the
 * peer address is refused (409) unless `replace` (a rebuilt VM): then it is removed first.
 */
export async function joinServer(context: JoinHandlerContext, record: JoinRecord, request: ServerJoinRequest): Promise<ServerJoinAnswer> {
  const address = hostPortOfUrl(request.peerUrl);
  if (address === null) throw new JoinHttpError(400, 'peerUrl: expected http://HOST:PORT');
  const nodeId = nodeIdForPeerAddress(address);
  const clashing = context.replica.members().filter((member) => member.name === request.name || member.nodeId === nodeId || member.peerUrls.includes(request.peerUrl));
  const resumable = clashing.length === 1 && clashing[0]?.nodeId === nodeId && clashing[0].isLearner && (clashing[0].name === '' || clashing[0].name === request.name);
  if (!resumable) {
    for (const member of clashing) await removeOrRefuse(context, member, request);
    const signal = AbortSignal.timeout(JoinServiceLimits.membershipChangeTimeoutMs);
    await context.backend.memberAdd([request.peerUrl], true, { signal });
    context.logger.info({ name: request.name, peerUrl: request.peerUrl }, 'join: added a learner');
  }
  const members = context.replica.members().filter((member) => member.nodeId !== nodeId && member.name !== '');
  return {
    clusterToken: context.replica.identity.clusterToken,
    clusterName: record.clusterName,
    members: members.flatMap((member) => {
      const peer = hostPortOfUrl(member.peerUrls[0] ?? '');
      return peer === null ? [] : [{ name: member.name, peerAddress: formatHostPort(peer) }];
    }),
    natsUser: record.natsUser,
    natsPassword: record.natsPassword,
    memberId: (context.replica.members().find((member) => member.nodeId === nodeId)?.memberId ?? 0n).toString(16),
  };
}

async function removeOrRefuse(context: JoinHandlerContext, member: ReplicaMember, request: ServerJoinRequest): Promise<void> {
  const what = `${member.isLearner ? 'learner' : 'voter'} ${member.name === '' ? member.nodeId : member.name} (${member.peerUrls.join(', ')})`;
  if (!request.replace) {
    throw new JoinHttpError(409, `the cluster already has ${what}: if this machine replaces it, run join again with --replace (removes the old member first)`);
  }
  if (member.nodeId === context.replica.nodeId) throw new JoinHttpError(409, `${what} is the server answering this join: ask another server`);
  await context.backend.memberRemove(member.memberId, { signal: AbortSignal.timeout(JoinServiceLimits.membershipChangeTimeoutMs) });
  context.logger.warn({ removed: member.nodeId, joiner: request.name }, 'join --replace: removed the old member');
}

export function parseAgentJoin(body: Record<string, unknown>): { nodeName: string } {
  const { nodeName } = body;
  if (typeof nodeName !== 'string' || nodeName.length > 253 || !nodeNamePattern.test(nodeName)) {
    throw new JoinHttpError(400, 'nodeName: a lowercase DNS name (letters, digits, "-" and "."), at most 253');
  }
  return { nodeName };
}

export function joinAgent(record: JoinRecord): AgentJoinAnswer {
  if (record.natsUrls.length === 0) throw new JoinHttpError(409, 'no server advertises NATS URLs for agents yet (nats-advertise in the servers\' config)');
  return { clusterName: record.clusterName, natsUrls: record.natsUrls, natsUser: record.natsUser, natsPassword: record.natsPassword };
}
