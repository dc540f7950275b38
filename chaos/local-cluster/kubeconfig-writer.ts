import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeKubeconfigFile } from '../../control-plane/index.ts';
import type { ClusterState } from './cluster-state.ts';

export interface ApiCredentials {
  readonly caCertificatePem: string;
  readonly token: string;
}

/**
 * The cluster CA and admin token, from the first replica data dir that has both. Every replica
 * writes them (from the replicated bootstrap record) once its API starts, so any one will do
 * while another is down.
 */
export async function readApiCredentials(state: ClusterState): Promise<ApiCredentials | null> {
  for (const server of state.servers) {
    try {
      const apiDirectory = join(server.dataDir, 'api');
      const [caCertificatePem, token] = await Promise.all([readFile(join(apiDirectory, 'pki', 'ca.crt'), 'utf8'), readFile(join(apiDirectory, 'auth', 'admin.token'), 'utf8')]);
      // The two files are written one after the other: an empty token means the second is not there yet.
      if (caCertificatePem.includes('BEGIN CERTIFICATE') && token.trim() !== '') return { caCertificatePem, token: token.trim() };
    } catch {
      // This replica's API has not started yet; try the next.
    }
  }
  return null;
}

/** `<dir>/kubeconfig` (mode 0600), one context `flotilla` whose server is the stable address. */
export async function writeLocalKubeconfig(state: ClusterState, credentials: ApiCredentials): Promise<void> {
  await writeKubeconfigFile(state.kubeconfigPath, { serverUrl: `https://${state.apiBalancer.endpoint}`, caCertificatePem: credentials.caCertificatePem, token: credentials.token });
}
