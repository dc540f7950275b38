import { request, type Agent } from 'node:https';

/** Plain HTTPS to one replica's Kubernetes API (token auth, the cluster CA), for tests and the bench. */
export interface ApiEndpoint {
  readonly url: string;
  readonly ca: string;
  readonly token: string;
  readonly agent?: Agent;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: string;
}

export function apiRequest(endpoint: ApiEndpoint, method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<ApiAnswer> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Authorization: `Bearer ${endpoint.token}`, Accept: 'application/json' };
  if (text !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(text));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(path, endpoint.url), { method, headers, ca: endpoint.ca, timeout: timeoutMs, ...(endpoint.agent === undefined ? {} : { agent: endpoint.agent }) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
    outgoing.on('error', reject);
    outgoing.end(text);
  });
}

