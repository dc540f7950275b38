import { request } from 'node:https';
import type { ApiEndpoint } from './api-client.ts';
import { LatencyRecorder } from './latency.ts';

/**
 * Many concurrent watches of one namespace's ConfigMaps, spread over the replicas; each event's
 * delivery time is compared with when its write was acknowledged (`ackedAtMs`), giving the
 * fan-out delivery latency. Lines are scanned for the object's name only (no JSON parse), so the
 * measuring process stays cheaper than the servers it measures.
 */
export class WatchFanout {
  readonly delivery = new LatencyRecorder();
  private readonly ackedAtMs = new Map<string, number>();
  private readonly early = new Map<string, number[]>();
  private readonly requests: Array<ReturnType<typeof request>> = [];
  private connected = 0;
  delivered = 0;
  errors = 0;

  constructor(private readonly namePrefix: string) {}

  /** Opens `count` watches from `resourceVersion`, round-robin over the endpoints; resolves once every one has its headers. */
  async open(endpoints: readonly ApiEndpoint[], count: number, path: string, resourceVersion: string): Promise<void> {
    const pattern = new RegExp(`"name":"(${this.namePrefix}[0-9]+)"`);
    await Promise.all(Array.from({ length: count }, (_, index) => this.openOne(endpoints[index % endpoints.length] as ApiEndpoint, `${path}?watch=true&resourceVersion=${resourceVersion}`, pattern)));
  }

  /** Each watch holds its own connection (Node's global agent: no socket limit). */
  private openOne(endpoint: ApiEndpoint, path: string, pattern: RegExp): Promise<void> {
    return new Promise((resolve, reject) => {
      const outgoing = request(new URL(path, endpoint.url), { headers: { Authorization: `Bearer ${endpoint.token}` }, ca: endpoint.ca }, (response) => {
        if (response.statusCode !== 200) return reject(new Error(`watch answered ${response.statusCode}`));
        this.connected++;
        resolve();
        let buffer = '';
        response.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
            const name = pattern.exec(buffer.slice(0, newline))?.[1];
            buffer = buffer.slice(newline + 1);
            if (name !== undefined) this.onDelivered(name, performance.now());
          }
        });
        response.on('error', () => this.errors++);
      });
      outgoing.on('error', (error) => (this.connected === 0 ? reject(error) : this.errors++));
      outgoing.end();
      this.requests.push(outgoing);
    });
  }

  /** The write of `name` was acknowledged now. */
  acknowledged(name: string, atMs: number): void {
    this.ackedAtMs.set(name, atMs);
    // Events that overtook the acknowledgement count as delivered at once.
    for (const deliveredAtMs of this.early.get(name) ?? []) this.delivery.record(Math.max(0, deliveredAtMs - atMs));
    this.early.delete(name);
  }

  private onDelivered(name: string, atMs: number): void {
    this.delivered++;
    const acked = this.ackedAtMs.get(name);
    if (acked === undefined) this.early.set(name, [...(this.early.get(name) ?? []), atMs]);
    else this.delivery.record(atMs - acked);
  }

  close(): void {
    for (const outgoing of this.requests) outgoing.destroy();
  }
}
