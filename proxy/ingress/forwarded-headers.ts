import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) that a proxy must not forward, plus the ones it rewrites. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

export interface ForwardingContext {
  readonly clientAddress: string;
  readonly protocol: 'http' | 'https';
  /** The port the client connected to, for X-Forwarded-Port. */
  readonly listenerPort: number;
}

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const value = headers['connection'];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()).filter((token) => token !== ''));
}

/**
 * The headers sent to a backend, pure: end-to-end headers of the request, minus hop-by-hop ones
 * (and those the client's Connection header names), plus X-Forwarded-For (appended to what a
 * previous proxy wrote), -Proto, -Host and -Port. `upgrade` keeps Connection/Upgrade for a
 * WebSocket handshake.
 */
export function forwardedHeaders(headers: IncomingHttpHeaders, context: ForwardingContext, upgrade: boolean): OutgoingHttpHeaders {
  const named = connectionTokens(headers);
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || named.has(name)) continue;
    if (name.startsWith('x-forwarded-') && name !== 'x-forwarded-for') continue;
    result[name] = value;
  }
  const previous = headers['x-forwarded-for'];
  const chain = Array.isArray(previous) ? previous.join(', ') : previous;
  result['x-forwarded-for'] = chain === undefined || chain === '' ? context.clientAddress : `${chain}, ${context.clientAddress}`;
  result['x-forwarded-proto'] = context.protocol;
  if (headers.host !== undefined) result['x-forwarded-host'] = headers.host;
  result['x-forwarded-port'] = String(context.listenerPort);
  result['x-real-ip'] = context.clientAddress;
  if (upgrade) {
    result['connection'] = 'upgrade';
    if (headers.upgrade !== undefined) result['upgrade'] = headers.upgrade;
  }
  return result;
}

/** Response headers passed back to the client: hop-by-hop ones are the client connection's own business. */
export function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = connectionTokens(headers);
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || hopByHop.has(name) || named.has(name)) continue;
    result[name] = value;
  }
  return result;
}

/** The client's address as X-Forwarded-For writes it (an IPv4-mapped IPv6 address shown as IPv4). */
export function clientAddressOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}
