import { isFlotillaError, type Env, type Logger } from '../../common/index.ts';
import type { ObjectStore } from './object-store.ts';
import { createCertificateAuthority, type CertificateAuthorityPem } from './security/tls.ts';
import { TokenAuthenticator } from './security/tokens.ts';

/**
 * What every replica of a cluster must share so that clients fail over between them: the CA
 * (its certificate is in the kubeconfig; each replica's serving certificate is signed by it) and
 * the admin token. Kept in the replicated store under a key outside `/registry/`, so the
 * Kubernetes API never shows it (as k3s keeps its bootstrap data in the datastore).
 */
export interface ClusterBootstrap {
  readonly ca: CertificateAuthorityPem;
  readonly adminToken: string;
}

export const clusterBootstrapKey = '/flotilla/bootstrap/cluster';

/** Pause between attempts while the store cannot answer (no quorum yet). */
const bootstrapRetryMs = 500;

/**
 * Reads the cluster's bootstrap record, or — the first replica to find none — makes one and
 * writes it with a create-if-absent txn, so racing replicas agree on the first one written.
 * Waits (retrying) until the store answers or `signal` aborts.
 */
export async function loadOrCreateClusterBootstrap(store: ObjectStore, env: Env, logger: Logger, signal: AbortSignal): Promise<ClusterBootstrap> {
  for (;;) {
    signal.throwIfAborted();
    try {
      return await attempt(store, env, logger);
    } catch (error) {
      if (!isFlotillaError(error)) throw error;
      logger.info({ err: error }, 'cluster bootstrap data not readable yet; retrying');
    }
    await new Promise<void>((resolve) => env.timers.setTimeout(resolve, bootstrapRetryMs));
  }
}

async function attempt(store: ObjectStore, env: Env, logger: Logger): Promise<ClusterBootstrap> {
  const existing = await store.get(clusterBootstrapKey);
  if (existing !== null) return decode(existing.value);
  const fresh: ClusterBootstrap = { ca: await createCertificateAuthority(env.clock.nowMs()), adminToken: TokenAuthenticator.newToken() };
  const created = await store.create(clusterBootstrapKey, new TextEncoder().encode(JSON.stringify(fresh)));
  if (created.ok) {
    logger.info('made the cluster CA and admin token (first server of the cluster)');
    return fresh;
  }
  if (created.reason !== 'exists' || created.current === null) throw new Error('the cluster bootstrap record exists but could not be read');
  return decode(created.current.value);
}

function decode(value: Uint8Array): ClusterBootstrap {
  const parsed = JSON.parse(new TextDecoder().decode(value)) as Partial<ClusterBootstrap>;
  if (typeof parsed.adminToken !== 'string' || typeof parsed.ca?.certificatePem !== 'string' || typeof parsed.ca.privateKeyPem !== 'string') {
    throw new Error(`the cluster bootstrap record at ${clusterBootstrapKey} is damaged`);
  }
  return { ca: parsed.ca, adminToken: parsed.adminToken };
}
