import type { Env } from '../../common/index.ts';
import type { RelayFault } from '../relay/fault-relay.ts';
import type { RelayLinkRecord } from './cluster-state.ts';
import { httpRequest } from './http-request.ts';

export interface LinkFault {
  readonly from: string;
  readonly to: string;
  readonly fault: RelayFault;
}

/**
 * Pure: the fault of every link for a partition into `groups`: links between two groups are
 * blackholed, the rest pass (a server in no group keeps all its links, as ProcessCluster does).
 */
export function partitionFaults(links: readonly RelayLinkRecord[], groups: readonly (readonly string[])[]): LinkFault[] {
  const groupOf = new Map<string, number>();
  groups.forEach((group, index) => group.forEach((name) => groupOf.set(name, index)));
  return links.map((link) => {
    const a = groupOf.get(link.from);
    const b = groupOf.get(link.to);
    return { from: link.from, to: link.to, fault: a !== undefined && b !== undefined && a !== b ? { kind: 'blackhole' } : { kind: 'pass' } };
  });
}

export function healFaults(links: readonly RelayLinkRecord[]): LinkFault[] {
  return links.map((link) => ({ from: link.from, to: link.to, fault: { kind: 'pass' } }));
}

/** Sets faults on the relays process (the others stay as they are). */
export async function setLinkFaults(env: Env, controlEndpoint: string, faults: readonly LinkFault[]): Promise<void> {
  const answer = await httpRequest(env, { method: 'PUT', url: `http://${controlEndpoint}/links`, body: { faults } });
  if (answer.status !== 200) throw new Error(`the relays refused the faults (${answer.status}): ${answer.body}`);
}

/** Every link with its fault now. */
export async function listLinkFaults(env: Env, controlEndpoint: string): Promise<LinkFault[]> {
  const answer = await httpRequest(env, { method: 'GET', url: `http://${controlEndpoint}/links` });
  if (answer.status !== 200) throw new Error(`the relays answered ${answer.status}: ${answer.body}`);
  return (JSON.parse(answer.body) as { links: LinkFault[] }).links;
}
