/**
 * The join token: what a new machine needs to join with one command, as one copy-pasteable word.
 *
 *   flotilla-join-v1.<base64url of {"endpoints":["10.0.0.1:6444",...],"caSha256":"<hex>","secret":"<base64url>"}>
 *
 * - `endpoints`: the join services (each server's --join-listen), tried in order;
 * - `caSha256`: SHA-256 of the cluster CA certificate (DER). The joiner fetches the CA, checks it
 *   against this pin, and from then on talks TLS verified by that CA only — so it never sends the
 *   secret to, or takes configuration from, a machine that merely answers on the address;
 * - `secret`: 32 random bytes the join service checks (constant time) before adding a member or
 *   handing out NATS credentials.
 * A truncated or mistyped token fails to decode with a message naming the part that is wrong.
 */
export interface JoinToken {
  readonly endpoints: readonly string[];
  readonly caSha256: string;
  readonly secret: string;
}

export const joinTokenPrefix = 'flotilla-join-v1.';
/** Bounds what a token may carry (a cluster has a handful of control-plane VMs). */
export const joinTokenEndpointsMax = 16;
const joinTokenBytesMax = 4096;

/** A token that cannot be used; the message says what is wrong with it. */
export class JoinTokenError extends Error {
  override readonly name = 'JoinTokenError';
}

export function encodeJoinToken(token: JoinToken): string {
  const body = JSON.stringify({ endpoints: token.endpoints, caSha256: token.caSha256, secret: token.secret });
  return `${joinTokenPrefix}${Buffer.from(body, 'utf8').toString('base64url')}`;
}

export function decodeJoinToken(text: string): JoinToken {
  const trimmed = text.trim();
  if (trimmed.length > joinTokenBytesMax) throw new JoinTokenError(`the join token is ${trimmed.length} characters long; a real one is under ${joinTokenBytesMax}`);
  if (!trimmed.startsWith(joinTokenPrefix)) throw new JoinTokenError(`a join token starts with "${joinTokenPrefix}" (print one with flotilla token on a control-plane VM)`);
  const encoded = trimmed.slice(joinTokenPrefix.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) throw new JoinTokenError('the join token has characters that are not base64url after its prefix (copied with a line break?)');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new JoinTokenError('the join token does not decode (incomplete copy?)');
  }
  return validateToken(value);
}

function validateToken(value: unknown): JoinToken {
  if (typeof value !== 'object' || value === null) throw new JoinTokenError('the join token does not hold an object');
  const { endpoints, caSha256, secret } = value as Record<string, unknown>;
  if (!Array.isArray(endpoints) || endpoints.length === 0 || endpoints.length > joinTokenEndpointsMax || !endpoints.every((endpoint) => typeof endpoint === 'string' && /^[^\s/]+:\d{1,5}$/.test(endpoint))) {
    throw new JoinTokenError(`the join token's endpoints must be 1 to ${joinTokenEndpointsMax} HOST:PORT`);
  }
  if (typeof caSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(caSha256)) throw new JoinTokenError('the join token\'s CA fingerprint is not a SHA-256 in hex');
  if (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{32,128}$/.test(secret)) throw new JoinTokenError('the join token\'s secret is malformed');
  return { endpoints: endpoints as string[], caSha256, secret };
}
