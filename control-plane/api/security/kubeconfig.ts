import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  readonly serverUrl: string;
  readonly caCertificatePem: string;
  readonly token: string;
  readonly clusterName?: string;
  readonly userName?: string;
  /** Other replicas' URLs: each gets its own cluster and context (`<cluster>-2`, …) to switch to with `kubectl --context`. */
  readonly alternateServerUrls?: readonly string[];
}

/** A kubeconfig with one cluster, one user (bearer token) and one current context. */
export function renderKubeconfig(options: KubeconfigOptions): string {
  const cluster = options.clusterName ?? 'flotilla';
  const user = options.userName ?? 'flotilla-admin';
  const caData = Buffer.from(options.caCertificatePem).toString('base64');
  const servers = [{ name: cluster, url: options.serverUrl }, ...(options.alternateServerUrls ?? []).map((url, index) => ({ name: `${cluster}-${index + 2}`, url }))];
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: servers.map((server) => ({ name: server.name, cluster: { server: server.url, 'certificate-authority-data': caData } })),
    users: [{ name: user, user: { token: options.token } }],
    contexts: servers.map((server) => ({ name: server.name, context: { cluster: server.name, user, namespace: 'default' } })),
    'current-context': cluster,
    preferences: {},
  });
}

export async function writeKubeconfigFile(path: string, options: KubeconfigOptions): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderKubeconfig(options), { mode: 0o600 });
}
