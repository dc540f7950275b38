import { request as plainRequest, type IncomingMessage } from 'node:http';
import { request as tlsRequest } from 'node:https';
import type { Env } from '../../common/index.ts';
import { LocalClusterLimits } from './limits.ts';

export interface HttpRequest {
  readonly method: string;
  /** http:// or https:// */
  readonly url: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** HTTPS: the CA to verify the server with (the cluster CA). */
  readonly ca?: string;
  /** HTTPS: no verification, for health probes of public paths on loopback only. */
  readonly insecure?: boolean;
  readonly bearerToken?: string;
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTP(S) request with a deadline from the injected timers and a bounded body: the cluster's
 * health probes, its control endpoints and the few API calls `flotilla up` makes. No keep-alive:
 * each call is independent, so a replica killed between calls costs nothing.
 */
export function httpRequest(env: Env, options: HttpRequest): Promise<HttpAnswer> {
  const url = new URL(options.url);
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.bearerToken !== undefined) headers['authorization'] = `Bearer ${options.bearerToken}`;
  const timeoutMs = options.timeoutMs ?? LocalClusterLimits.probeTimeoutMs;
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > LocalClusterLimits.responseBytesMax) request.destroy(new Error(`${options.url}: answer over ${LocalClusterLimits.responseBytesMax} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        deadline.cancel();
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', (error) => {
        deadline.cancel();
        reject(error);
      });
    };
    const common = { method: options.method, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, headers, agent: false as const };
    const request = url.protocol === 'https:'
      ? tlsRequest({ ...common, ...(options.ca === undefined ? {} : { ca: options.ca }), rejectUnauthorized: options.insecure !== true }, onResponse)
      : plainRequest(common, onResponse);
    const deadline = env.timers.setTimeout(() => request.destroy(new Error(`${options.method} ${options.url}: no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', (error) => {
      deadline.cancel();
      reject(error);
    });
    request.end(payload);
  });
}
