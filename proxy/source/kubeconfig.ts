import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { asArray, asObject, asString, isJsonObject, type JsonObject } from '../../control-plane/api/json.ts';

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** How to reach and authenticate to the API: one or more server URLs (replicas) and one identity. */
export interface ApiConnection {
  /** The current context's server first, then the other clusters' servers with the same user and CA. */
  readonly servers: readonly string[];
  readonly ca: string | null;
  readonly insecureSkipTlsVerify: boolean;
  readonly token: string | null;
  readonly clientCertificate: string | null;
  readonly clientKey: string | null;
}

function named(list: unknown, name: string, field: string): JsonObject | undefined {
  const entry = asArray(list).filter(isJsonObject).find((item) => item['name'] === name);
  return asObject(entry?.[field]);
}

async function dataOrFile(section: JsonObject, dataField: string, fileField: string, base: string): Promise<string | null> {
  const data = asString(section[dataField]);
  if (data !== undefined) return Buffer.from(data, 'base64').toString('utf8');
  const file = asString(section[fileField]);
  if (file === undefined) return null;
  return await readFile(isAbsolute(file) ? file : join(base, file), 'utf8');
}

/**
 * Reads a kubeconfig (the one `flotilla kubeconfig` writes, or any with token or client-certificate
 * auth). Every cluster whose context uses the current context's user becomes a fallback server, so
 * the proxy keeps watching when one control-plane replica is down.
 */
export async function loadKubeconfig(path: string, contextName?: string): Promise<ApiConnection> {
  let document: unknown;
  try {
    // Loaded here, not at the top: YAML is ~7 MB of resident memory an agent without a kubeconfig never needs.
    const { parse } = await import('yaml');
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new KubeconfigError(`cannot read kubeconfig ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const config = asObject(document) ?? {};
  const current = contextName ?? asString(config['current-context']) ?? '';
  const context = named(config['contexts'], current, 'context');
  if (context === undefined) throw new KubeconfigError(`kubeconfig ${path} has no context "${current}"`);
  const userName = asString(context['user']) ?? '';
  const clusterName = asString(context['cluster']) ?? '';
  const cluster = named(config['clusters'], clusterName, 'cluster');
  const server = asString(cluster?.['server']);
  if (cluster === undefined || server === undefined) throw new KubeconfigError(`kubeconfig ${path}: cluster "${clusterName}" has no server`);
  const user = named(config['users'], userName, 'user') ?? {};
  const base = dirname(path);
  const others = asArray(config['contexts']).filter(isJsonObject)
    .map((entry) => asObject(entry['context']))
    .filter((other) => other !== undefined && other['user'] === userName && other['cluster'] !== clusterName)
    .map((other) => asString(named(config['clusters'], asString(other?.['cluster']) ?? '', 'cluster')?.['server']))
    .filter((url): url is string => url !== undefined);
  const tokenFile = asString(user['tokenFile'] ?? user['token-file']);
  const token = asString(user['token']) ?? (tokenFile === undefined ? null : (await readFile(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile), 'utf8')).trim());
  return {
    servers: [...new Set([server, ...others])],
    ca: await dataOrFile(cluster, 'certificate-authority-data', 'certificate-authority', base),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    token,
    clientCertificate: await dataOrFile(user, 'client-certificate-data', 'client-certificate', base),
    clientKey: await dataOrFile(user, 'client-key-data', 'client-key', base),
  };
}
