import { EtcdWireClient } from '../../../store/index.ts';
import { clusterBootstrapKey } from '../../api/cluster-bootstrap.ts';
import { caSha256Of } from './ca-fingerprint.ts';
import { decodeJoinRecord, encodeJoinRecord, joinRecordKey, newJoinSecret, type JoinRecord } from './join-record.ts';
import { encodeJoinToken } from './join-token.ts';

const callTimeoutMs = 5_000;

interface WireRange {
  readonly kvs: ReadonlyArray<{ readonly value: Buffer; readonly mod_revision: string }>;
}

interface WireMembers {
  readonly members: ReadonlyArray<{ readonly name: string }>;
}

interface WireTxn {
  readonly succeeded: boolean;
}

/** Why no token can be made yet (the cluster is still starting): worth waiting for. */
export class JoinTokenNotReadyError extends Error {
  override readonly name = 'JoinTokenNotReadyError';
}

/**
 * The cluster's join token, read through a server's etcd client endpoint: the CA from the
 * bootstrap record (its fingerprint), the secret and join endpoints from the join record (only
 * those of current members: a restored or recovered cluster may list old names). With `rotate`, a
 * new secret replaces the old one first (compare-and-swap), so every earlier token stops working.
 */
export async function readJoinToken(etcdEndpoint: string, options: { readonly rotate: boolean }): Promise<string> {
  const client = new EtcdWireClient(etcdEndpoint);
  try {
    const bootstrap = await get(client, clusterBootstrapKey);
    if (bootstrap === null) throw new JoinTokenNotReadyError('the cluster has no CA yet (a server with api-listen makes it once a leader is elected)');
    const caPem = (JSON.parse(bootstrap.value.toString('utf8')) as { ca: { certificatePem: string } }).ca.certificatePem;
    const stored = await get(client, joinRecordKey);
    if (stored === null) throw new JoinTokenNotReadyError('no join record yet: is join-listen set in the servers\' config, and is a server with it running?');
    let record = decodeJoinRecord(stored.value);
    if (options.rotate) {
      record = { ...record, secret: newJoinSecret() };
      await compareAndPut(client, stored.modRevision, record);
    }
    const names = new Set((await client.call<WireMembers>('Cluster', 'MemberList', {}, callTimeoutMs)).members.map((member) => member.name));
    const current = Object.entries(record.endpoints).filter(([name]) => names.has(name)).map(([, endpoint]) => endpoint);
    const endpoints = current.length > 0 ? current : Object.values(record.endpoints);
    return encodeJoinToken({ endpoints, caSha256: caSha256Of(caPem), secret: record.secret });
  } finally {
    client.close();
  }
}

async function get(client: EtcdWireClient, key: string): Promise<{ value: Buffer; modRevision: number } | null> {
  const response = await client.call<WireRange>('KV', 'Range', { key: Buffer.from(key) }, callTimeoutMs);
  const kv = response.kvs[0];
  return kv === undefined ? null : { value: Buffer.from(kv.value), modRevision: Number(kv.mod_revision) };
}

async function compareAndPut(client: EtcdWireClient, modRevision: number, record: JoinRecord): Promise<void> {
  const key = Buffer.from(joinRecordKey);
  const answer = await client.call<WireTxn>('KV', 'Txn', {
    compare: [{ result: 'EQUAL', target: 'MOD', key, mod_revision: String(modRevision) }],
    success: [{ request_put: { key, value: Buffer.from(encodeJoinRecord(record)) } }],
  }, callTimeoutMs);
  if (!answer.succeeded) throw new Error('the join record changed while rotating its secret; run the rotation again');
}
