import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isJsonObject, type JsonObject } from '../../control-plane/api/json.ts';
import { SourceLimits } from '../limits.ts';
import type { ApiConnection } from './kubeconfig.ts';

export interface ApiAnswer {
  readonly status: number;
  readonly body: string;
}

export interface WatchEvent {
  readonly type: string;
  readonly object: JsonObject;
}

/** Why a watch ended: the server closed it (resume from the last revision), or it failed. */
export type WatchEnd = { readonly kind: 'closed' } | { readonly kind: 'failed'; readonly message: string; readonly status: number };

/** Sockets kept to the API: a few lists and writes at once, plus one watch per kind. */
const apiSocketsMax = 16;

/**
 * HTTPS (or HTTP) to the Kubernetes API with a bearer token or client certificate. Requests go to
 * the current server; a connection failure moves to the next one, so a dead replica costs one
 * failed attempt, not an outage.
 */
export class KubeApiClient {
  private serverIndex = 0;
  private readonly httpsAgent: HttpsAgent;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: apiSocketsMax });

  constructor(private readonly connection: ApiConnection) {
    this.httpsAgent = new HttpsAgent({
      keepAlive: true,
      maxSockets: apiSocketsMax,
      ...(connection.ca === null ? {} : { ca: connection.ca }),
      ...(connection.clientCertificate === null ? {} : { cert: connection.clientCertificate }),
      ...(connection.clientKey === null ? {} : { key: connection.clientKey }),
      rejectUnauthorized: !connection.insecureSkipTlsVerify,
    });
  }

  get server(): string {
    return this.connection.servers[this.serverIndex % this.connection.servers.length] ?? '';
  }

  /** Moves to the next server (after a connection failure). */
  rotate(): void {
    this.serverIndex = (this.serverIndex + 1) % Math.max(1, this.connection.servers.length);
  }

  async request(method: string, path: string, body?: JsonObject): Promise<ApiAnswer> {
    let lastError: unknown = null;
    for (let attempt = 0; attempt < this.connection.servers.length; attempt++) {
      try {
        return await this.once(method, path, body);
      } catch (error) {
        lastError = error;
        this.rotate();
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  /** Streams a watch's JSON lines to `onEvent` until the server closes it, it fails, or `signal` aborts. */
  watch(path: string, signal: AbortSignal, onEvent: (event: WatchEvent) => void): Promise<WatchEnd> {
    return new Promise<WatchEnd>((resolve) => {
      let settled = false;
      const finish = (end: WatchEnd): void => {
        if (settled) return;
        settled = true;
        resolve(end);
      };
      const outgoing = this.open('GET', path, (response) => {
        if (response.statusCode !== 200) {
          this.collect(response).then((text) => finish({ kind: 'failed', status: response.statusCode ?? 0, message: text.slice(0, 500) }), (error: unknown) => finish({ kind: 'failed', status: 0, message: String(error) }));
          return;
        }
        let buffered = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffered += chunk;
          if (buffered.length > SourceLimits.watchLineBytesMax) {
            outgoing.destroy();
            finish({ kind: 'failed', status: 0, message: `a watch event exceeded ${SourceLimits.watchLineBytesMax} bytes` });
            return;
          }
          for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (line.trim() === '') continue;
            let parsed: unknown;
            try {
              parsed = JSON.parse(line);
            } catch {
              outgoing.destroy();
              finish({ kind: 'failed', status: 0, message: 'a watch event was not JSON' });
              return;
            }
            if (isJsonObject(parsed) && typeof parsed['type'] === 'string' && isJsonObject(parsed['object'])) onEvent({ type: parsed['type'], object: parsed['object'] });
          }
        });
        response.on('end', () => finish({ kind: 'closed' }));
        response.on('error', (error) => finish({ kind: 'failed', status: 0, message: error.message }));
        response.on('close', () => finish({ kind: 'closed' }));
      });
      outgoing.on('error', (error) => {
        this.rotate();
        finish({ kind: 'failed', status: 0, message: error.message });
      });
      const onAbort = (): void => {
        outgoing.destroy();
        finish({ kind: 'closed' });
      };
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      outgoing.end();
    });
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  private once(method: string, path: string, body?: JsonObject): Promise<ApiAnswer> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<ApiAnswer>((resolve, reject) => {
      const outgoing = this.open(method, path, (response) => {
        this.collect(response).then((answer) => resolve({ status: response.statusCode ?? 0, body: answer }), reject);
      }, text);
      outgoing.setTimeout(SourceLimits.requestTimeoutMs, () => outgoing.destroy(new Error(`${method} ${path} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(text);
    });
  }

  private open(method: string, path: string, onResponse: (response: IncomingMessage) => void, text?: string): ReturnType<typeof httpRequest> {
    const url = new URL(path, this.server);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.connection.token !== null) headers['Authorization'] = `Bearer ${this.connection.token}`;
    if (text !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(text));
    }
    if (url.protocol === 'http:') return httpRequest(url, { method, headers, agent: this.httpAgent }, onResponse);
    return httpsRequest(url, { method, headers, agent: this.httpsAgent }, onResponse);
  }

  private collect(response: IncomingMessage): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > SourceLimits.listResponseBytesMax) {
          response.destroy(new Error(`response exceeded ${SourceLimits.listResponseBytesMax} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
  }
}
