import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, FlotillaError } from '../common/index.ts';
import type { NodeId } from '../raft/index.ts';

/** A peer or client address as configured: `HOST:PORT` (IPv6 hosts in brackets). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** One `name=HOST:PORT` entry of `--initial-cluster`. */
export interface InitialClusterMember {
  readonly name: string;
  readonly address: HostPort;
}

/**
 * Who this replica is, fixed at its first start and kept in `<data-dir>/member.json`, so that a
 * restart rejoins as the same Raft member even if its flags changed meanwhile (etcd keeps its
 * member ID in the WAL the same way).
 */
export interface ReplicaIdentity {
  readonly name: string;
  /** The Raft member id. Bootstrap members: their name; members added later: `peer-HOST:PORT`. */
  readonly nodeId: NodeId;
  /** Peers of another cluster are refused at the transport handshake. */
  readonly clusterToken: string;
}

/** Parses `HOST:PORT` or `[IPv6]:PORT`; null when malformed. */
export function parseHostPort(text: string): HostPort | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(text.trim());
  if (match === null) return null;
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return null;
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '');
  return host === '' ? null : { host, port };
}

export function formatHostPort(address: HostPort): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** `http://HOST:PORT` → HOST:PORT; also accepts a bare HOST:PORT. Null when it names no address. */
export function hostPortOfUrl(url: string): HostPort | null {
  const bare = parseHostPort(url);
  if (bare !== null) return bare;
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  if (parsed.port === '') return null;
  return parseHostPort(`${parsed.hostname}:${parsed.port}`);
}

export function urlOf(address: HostPort): string {
  return `http://${formatHostPort(address)}`;
}

/**
 * The Raft id of a member added at runtime (`etcdctl member add` sends only peer URLs, not the
 * name): derived from its first peer URL, so the new server — started with its own entry in
 * `--initial-cluster` — computes the same id without asking anyone.
 */
export function nodeIdForPeerAddress(address: HostPort): NodeId {
  return `peer-${formatHostPort(address)}`;
}

/** A stable, non-zero uint64 from a string (the first 8 bytes of its SHA-256). */
export function hash64(text: string): bigint {
  const digest = createHash('sha256').update(text).digest();
  const value = digest.readBigUInt64BE(0);
  return value === 0n ? 1n : value;
}

/** The etcd member ID clients see (printed in hex): a hash of the Raft id, so it never changes. */
export function memberIdOf(nodeId: NodeId): bigint {
  return hash64(`member:${nodeId}`);
}

export function clusterIdOf(clusterToken: string): bigint {
  return hash64(`cluster:${clusterToken}`);
}

/**
 * The default cluster token: the sorted member names of the bootstrap cluster (not their
 * addresses, which differ per member when peers are reached through relays or NAT). A member
 * joining later leaves itself out, which gives the same token as long as the cluster still has its
 * bootstrap names; after membership changes, pass `--cluster-token` explicitly.
 */
export function defaultClusterToken(initialCluster: readonly InitialClusterMember[], exclude: string | null): string {
  const names = initialCluster.map((member) => member.name).filter((name) => name !== exclude);
  return `flotilla:${[...names].sort().join(',')}`;
}

const identityFile = 'member.json';

/** Reads the identity kept in the data directory, or writes `fresh` there (durably) and returns it. */
export async function loadOrCreateIdentity(dataDir: string, fresh: ReplicaIdentity): Promise<{ identity: ReplicaIdentity; created: boolean }> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, identityFile);
  let text: string | null = null;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    text = null;
  }
  if (text !== null) return { identity: parseIdentity(text, path), created: false };
  const temporary = `${path}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(fresh, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
  return { identity: fresh, created: true };
}

function parseIdentity(text: string, path: string): ReplicaIdentity {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new FlotillaError(ErrorCode.storeCorrupt, `${path} is not valid JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null) throw new FlotillaError(ErrorCode.storeCorrupt, `${path} is not an object`);
  const record = value as Record<string, unknown>;
  const { name, nodeId, clusterToken } = record;
  if (typeof name !== 'string' || typeof nodeId !== 'string' || typeof clusterToken !== 'string') {
    throw new FlotillaError(ErrorCode.storeCorrupt, `${path} lacks name, nodeId or clusterToken`);
  }
  return { name, nodeId, clusterToken };
}
