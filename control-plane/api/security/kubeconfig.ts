import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  readonly serverUrl: string;
  readonly caCertificatePem: string;
  readonly token: string;
  readonly clusterName?: string;
  readonly userName?: string;
}

/** A kubeconfig with one cluster, one user (bearer token) and one current context. */
export function renderKubeconfig(options: KubeconfigOptions): string {
  const cluster = options.clusterName ?? 'flotilla';
  const user = options.userName ?? 'flotilla-admin';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: cluster, cluster: { server: options.serverUrl, 'certificate-authority-data': Buffer.from(options.caCertificatePem).toString('base64') } }],
    users: [{ name: user, user: { token: options.token } }],
    contexts: [{ name: cluster, context: { cluster, user, namespace: 'default' } }],
    'current-context': cluster,
    preferences: {},
  });
}

export async function writeKubeconfigFile(path: string, options: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderKubeconfig(options), { mode: 0o600 });
}
