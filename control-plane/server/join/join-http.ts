import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../../common/index.ts';

/** The join service's named maximums. */
export const JoinServiceLimits = {
  /** A join request is a few hundred bytes of JSON. */
  requestBytesMax: 16 * 1024,
  /** Joins run one membership change each; more at once only queue on Raft. */
  requestsInFlightMax: 4,
  /** Wrong secrets tolerated per window before every authenticated request gets 429 until it ends. */
  failedAuthenticationsMax: 10,
  failedAuthenticationWindowMs: 60_000,
  /** A membership change waits at most this long for Raft. */
  membershipChangeTimeoutMs: 15_000,
} as const;

/** A refusal with the HTTP status and a message that says what to do. */
export class JoinHttpError extends Error {
  override readonly name = 'JoinHttpError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function answerJson(response: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** Reads a JSON object body of at most `requestBytesMax` bytes. */
export async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > JoinServiceLimits.requestBytesMax) throw new JoinHttpError(413, `a join request is at most ${JoinServiceLimits.requestBytesMax} bytes`);
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new JoinHttpError(400, 'the request body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JoinHttpError(400, 'the request body must be a JSON object');
  return value as Record<string, unknown>;
}

/**
 * Checks `Authorization: Bearer <secret>` in constant time, and counts failures: past the limit
 * within one window, every authenticated request is refused (429) until the window ends, so the
 * secret cannot be guessed at network speed.
 */
export class SecretGate {
  private windowStartMs = 0;
  private failures = 0;

  constructor(private readonly clock: Clock) {}

  check(header: string | undefined, secret: string): void {
    const now = this.clock.nowMs();
    if (now - this.windowStartMs >= JoinServiceLimits.failedAuthenticationWindowMs) {
      this.windowStartMs = now;
      this.failures = 0;
    }
    if (this.failures >= JoinServiceLimits.failedAuthenticationsMax) {
      throw new JoinHttpError(429, 'too many wrong join secrets lately; try again in a minute');
    }
    const offered = Buffer.from(/^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? '');
    const expected = Buffer.from(secret);
    if (offered.length === expected.length && timingSafeEqual(offered, expected)) return;
    this.failures++;
    throw new JoinHttpError(401, 'the join secret is wrong: the token is from another cluster or was rotated (flotilla token prints the current one)');
  }
}
