import { request as httpsRequest } from 'node:https';
import { caSha256Of } from './ca-fingerprint.ts';
import type { JoinToken } from './join-token.ts';

/** The joiner's named limits. */
export const JoinClientLimits = {
  requestTimeoutMs: 20_000,
  answerBytesMax: 64 * 1024,
  /** Rounds over every endpoint while the cluster answers "try again" (no leader, a membership change running). */
  roundsMax: 10,
  roundDelayMs: 2_000,
} as const;

/** A refusal the cluster gave (wrong secret, name taken…): trying again will not help. */
export class JoinRefusedError extends Error {
  override readonly name = 'JoinRefusedError';
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * Joins through the first endpoint that proves it belongs to the token's cluster: fetch its CA
 * certificate (TLS not yet verified — there is nothing to verify it with), compare its SHA-256 to
 * the token's pin, and only then send the secret, over TLS verified by that very CA. An endpoint
 * with another CA is skipped and never sees the secret. Answers 503/429 and transport errors are
 * retried (bounded); 4xx refusals end the join with the cluster's message.
 */
export async function requestJoin<T>(token: JoinToken, path: '/join/v1/server' | '/join/v1/agent', body: object): Promise<{ endpoint: string; answer: T }> {
  const problems: string[] = [];
  for (let round = 1; round <= JoinClientLimits.roundsMax; round++) {
    problems.length = 0;
    for (const endpoint of token.endpoints) {
      try {
        const caPem = await fetchVerifiedCa(endpoint, token.caSha256);
        const answer = await send(endpoint, { method: 'POST', path, ca: caPem, secret: token.secret, body: JSON.stringify(body) });
        if (answer.status === 200) return { endpoint, answer: JSON.parse(answer.body) as T };
        const message = messageOf(answer);
        if (answer.status !== 503 && answer.status !== 429) throw new JoinRefusedError(`${endpoint} refused the join (${answer.status}): ${message}`);
        problems.push(`${endpoint}: ${message}`);
      } catch (error) {
        if (error instanceof JoinRefusedError) throw error;
        problems.push(`${endpoint}: ${(error as Error).message}`);
      }
    }
    if (round < JoinClientLimits.roundsMax) await new Promise((resolve) => setTimeout(resolve, JoinClientLimits.roundDelayMs));
  }
  throw new Error(`no join endpoint of the token accepted the join after ${JoinClientLimits.roundsMax} rounds:\n${problems.map((line) => `  ${line}`).join('\n')}`);
}

/** The endpoint's CA certificate, if (and only if) its SHA-256 is the token's pin. */
export async function fetchVerifiedCa(endpoint: string, caSha256: string): Promise<string> {
  const answer = await send(endpoint, { method: 'GET', path: '/join/v1/ca', ca: null, secret: null, body: null });
  if (answer.status !== 200) throw new Error(`GET /join/v1/ca answered ${answer.status}`);
  let presented: string;
  try {
    presented = caSha256Of(answer.body);
  } catch {
    throw new Error('GET /join/v1/ca did not answer a certificate: is this a flotilla join endpoint?');
  }
  if (presented !== caSha256) {
    throw new JoinRefusedError(`${endpoint} presents CA sha256:${presented} but the token pins sha256:${caSha256}: not the cluster the token was made for (or someone in between). Nothing was sent to it.`);
  }
  return answer.body;
}

interface SendOptions {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Null: the one unverified request (fetching the CA). */
  readonly ca: string | null;
  readonly secret: string | null;
  readonly body: string | null;
}

function send(endpoint: string, options: SendOptions): Promise<HttpAnswer> {
  const separator = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(endpoint.slice(separator + 1));
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host,
        port,
        method: options.method,
        path: options.path,
        timeout: JoinClientLimits.requestTimeoutMs,
        headers: {
          ...(options.secret === null ? {} : { authorization: `Bearer ${options.secret}` }),
          ...(options.body === null ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(options.body) }),
        },
        // With the pinned CA only that CA's certificates are accepted. The name is not checked:
        // the pin already proves the cluster, and servers are often reached by an IP not in their certificate.
        ...(options.ca === null ? { rejectUnauthorized: false } : { ca: options.ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > JoinClientLimits.answerBytesMax) return void request.destroy(new Error('answer too large'));
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${JoinClientLimits.requestTimeoutMs} ms`)));
    request.on('error', reject);
    request.end(options.body ?? undefined);
  });
}

function messageOf(answer: HttpAnswer): string {
  try {
    const parsed = JSON.parse(answer.body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not our JSON: show the status alone.
  }
  return `HTTP ${answer.status}`;
}
