import { secretResource } from '../../api/registry/kinds/secret.ts';
import { decodeTlsSecretGetRequest, type TlsSecretGetResult } from '../protocol/index.ts';
import type { HandlerContext } from './handler-context.ts';

/** The only Secret type a node proxy may read (an Ingress's certificate and key). */
const tlsSecretType = 'kubernetes.io/tls';

/**
 * `secrets.tls.get`: one Secret of type kubernetes.io/tls by name, read linearizably, for the
 * proxy whose Ingress names it. Any other Secret answers not found, so a proxy's NATS permission
 * on this operation gives it certificates only, never the cluster's other Secrets. The answer goes
 * to the asker's inbox alone; Secret data is never published.
 */
export async function getTlsSecret(request: Uint8Array, context: HandlerContext): Promise<TlsSecretGetResult> {
  const { namespace, name } = decodeTlsSecretGetRequest(request);
  const secret = await context.client.get(secretResource, namespace, name);
  if (secret === null || secret['type'] !== tlsSecretType) return { found: false, secret: {} };
  return { found: true, secret };
}
