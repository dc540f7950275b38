import { request } from 'node:https';

export { apiRequest } from '../../bench/api-client.ts';
export type { ApiEndpoint } from '../../bench/api-client.ts';
import type { ApiEndpoint } from '../../bench/api-client.ts';

export interface WatchEvent {
  readonly type: string;
  readonly object: { readonly metadata?: { readonly name?: string; readonly resourceVersion?: string } };
}

/**
 * A watch that resumes like a client-go reflector: when its stream breaks (its replica died) it
 * re-watches on the next endpoint from the last resourceVersion it saw, so no event is missed.
 */
export class ResumingWatch {
  readonly events: WatchEvent[] = [];
  resumes = 0;
  private lastResourceVersion: string;
  private endpointIndex = 0;
  private stopped = false;
  private current: ReturnType<typeof request> | null = null;

  constructor(
    private readonly endpoints: readonly ApiEndpoint[],
    private readonly path: string,
    fromResourceVersion: string,
  ) {
    this.lastResourceVersion = fromResourceVersion;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.current?.destroy();
  }

  private connect(): void {
    if (this.stopped) return;
    const endpoint = this.endpoints[this.endpointIndex % this.endpoints.length];
    if (endpoint === undefined) return;
    const separator = this.path.includes('?') ? '&' : '?';
    const url = new URL(`${this.path}${separator}watch=true&allowWatchBookmarks=true&resourceVersion=${this.lastResourceVersion}`, endpoint.url);
    let ended = false;
    const onEnd = (): void => {
      if (ended) return;
      ended = true;
      this.reconnect();
    };
    const outgoing = request(url, { headers: { Authorization: `Bearer ${endpoint.token}` }, ca: endpoint.ca }, (response) => {
      let buffer = '';
      response.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
          this.onEvent(JSON.parse(buffer.slice(0, newline)) as WatchEvent);
          buffer = buffer.slice(newline + 1);
        }
      });
      response.on('end', onEnd);
      response.on('error', onEnd);
    });
    outgoing.on('error', onEnd);
    outgoing.end();
    this.current = outgoing;
  }

  private onEvent(event: WatchEvent): void {
    if (event.type === 'ERROR') throw new Error(`watch answered an error: ${JSON.stringify(event.object)}`);
    const version = event.object.metadata?.resourceVersion;
    if (version !== undefined) this.lastResourceVersion = version;
    if (event.type !== 'BOOKMARK') this.events.push(event);
  }

  private reconnect(): void {
    if (this.stopped) return;
    this.current = null;
    this.resumes++;
    this.endpointIndex++;
    setTimeout(() => this.connect(), 100);
  }
}
