import { randomBytes } from 'node:crypto';

/**
 * What the join services of a cluster share, in the replicated store next to the cluster's
 * bootstrap record (outside /registry/, so the Kubernetes API never shows it): the join secret,
 * each server's join endpoint (by member name), and what agents need to reach NATS. Whoever can
 * read the store can read this — as they can the CA key and the admin token already.
 */
export interface JoinRecord {
  readonly secret: string;
  /** Member name → HOST:PORT of its join service. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** NATS URLs agents are given (each server adds its --nats-advertise). */
  readonly natsUrls: readonly string[];
  readonly natsUser: string | null;
  readonly natsPassword: string | null;
  readonly clusterName: string;
}

export const joinRecordKey = '/flotilla/bootstrap/join';
/** Bounds on the record (a homelab has a handful of control-plane VMs). */
export const JoinRecordLimits = { endpointsMax: 16, natsUrlsMax: 16 } as const;

export function newJoinSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function encodeJoinRecord(record: JoinRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(record));
}

export function decodeJoinRecord(bytes: Uint8Array): JoinRecord {
  const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<JoinRecord>;
  if (typeof value.secret !== 'string' || typeof value.endpoints !== 'object' || value.endpoints === null || !Array.isArray(value.natsUrls) || typeof value.clusterName !== 'string') {
    throw new Error(`the join record at ${joinRecordKey} is damaged`);
  }
  return {
    secret: value.secret,
    endpoints: value.endpoints,
    natsUrls: value.natsUrls.filter((url): url is string => typeof url === 'string'),
    natsUser: typeof value.natsUser === 'string' ? value.natsUser : null,
    natsPassword: typeof value.natsPassword === 'string' ? value.natsPassword : null,
    clusterName: value.clusterName,
  };
}

/** This server's part of the record: its join endpoint and the NATS URLs it advertises to agents. */
export interface JoinRecordContribution {
  readonly memberName: string;
  readonly endpoint: string;
  readonly natsUrls: readonly string[];
  readonly natsUser: string | null;
  readonly natsPassword: string | null;
  readonly clusterName: string;
}

/** The record with this server's contribution merged in (pure; null when nothing changes). */
export function mergeContribution(current: JoinRecord | null, contribution: JoinRecordContribution, secret: () => string): JoinRecord | null {
  if (current === null) {
    return {
      secret: secret(),
      endpoints: { [contribution.memberName]: contribution.endpoint },
      natsUrls: contribution.natsUrls.slice(0, JoinRecordLimits.natsUrlsMax),
      natsUser: contribution.natsUser,
      natsPassword: contribution.natsPassword,
      clusterName: contribution.clusterName,
    };
  }
  const endpoints = { ...current.endpoints, [contribution.memberName]: contribution.endpoint };
  const natsUrls = [...new Set([...current.natsUrls, ...contribution.natsUrls])].slice(0, JoinRecordLimits.natsUrlsMax);
  const sameEndpoints = current.endpoints[contribution.memberName] === contribution.endpoint;
  const sameUrls = natsUrls.length === current.natsUrls.length;
  if (sameEndpoints && sameUrls) return null;
  if (Object.keys(endpoints).length > JoinRecordLimits.endpointsMax) return null;
  return { ...current, endpoints, natsUrls };
}
