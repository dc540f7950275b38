import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EtcdWireClient, parseHostPort } from '../../store/index.ts';
import { clusterBootstrapKey } from '../api/cluster-bootstrap.ts';
import { renderKubeconfig, writeKubeconfigFile } from '../api/security/kubeconfig.ts';

export interface KubeconfigRequest {
  /** API endpoints (HOST:PORT of each replica's --api-listen); the first is the kubeconfig's server. */
  readonly endpoints: readonly string[];
  /** A server's --data-dir on this machine: its `api/pki/ca.crt` and `api/auth/admin.token`. */
  readonly dataDir?: string;
  /** Or any replica's etcd client endpoint: the cluster bootstrap record is read from the store. */
  readonly etcdEndpoint?: string;
  /** Null: print to stdout. */
  readonly out: string | null;
}

const etcdReadTimeoutMs = 5_000;

/** `flotilla kubeconfig`: a kubeconfig for the cluster's admin (one context per endpoint; the first is current). */
export async function runKubeconfig(request: KubeconfigRequest, write: (text: string) => void): Promise<void> {
  const urls = request.endpoints.map((endpoint) => {
    const address = parseHostPort(endpoint.replace(/^https:\/\//, ''));
    if (address === null) throw new Error(`--endpoints: expected HOST:PORT, got "${endpoint}"`);
    return `https://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
  });
  const [serverUrl, ...alternateServerUrls] = urls;
  if (serverUrl === undefined) throw new Error('--endpoints: give at least one HOST:PORT');
  const credentials = await readCredentials(request);
  const options = { serverUrl, alternateServerUrls, caCertificatePem: credentials.caCertificatePem, token: credentials.token };
  if (request.out === null) write(renderKubeconfig(options));
  else await writeKubeconfigFile(request.out, options);
}

async function readCredentials(request: KubeconfigRequest): Promise<{ caCertificatePem: string; token: string }> {
  if (request.dataDir !== undefined) {
    const apiDir = join(request.dataDir, 'api');
    const [caCertificatePem, token] = await Promise.all([readFile(join(apiDir, 'pki', 'ca.crt'), 'utf8'), readFile(join(apiDir, 'auth', 'admin.token'), 'utf8')]);
    return { caCertificatePem, token: token.trim() };
  }
  if (request.etcdEndpoint === undefined) throw new Error('give --data-dir (a server\'s data directory) or --etcd-endpoint (a replica\'s client address)');
  const client = new EtcdWireClient(request.etcdEndpoint);
  try {
    const response = await client.call<{ kvs: Array<{ value: Buffer }> }>('KV', 'Range', { key: Buffer.from(clusterBootstrapKey) }, etcdReadTimeoutMs);
    const value = response.kvs[0]?.value;
    if (value === undefined) throw new Error('the cluster has no bootstrap record yet: start a server with --api-listen first');
    const record = JSON.parse(Buffer.from(value).toString('utf8')) as { ca: { certificatePem: string }; adminToken: string };
    return { caCertificatePem: record.ca.certificatePem, token: record.adminToken };
  } finally {
    client.close();
  }
}
