import { request } from 'node:http';

/** One request of a traffic loop: when it started, whether it got a 200, which pod answered (its HOSTNAME). */
export interface TrafficSample {
  readonly startedMs: number;
  readonly ok: boolean;
  readonly backend: string;
  readonly error: string;
}

/** Samples kept per loop (a loop of a few minutes at full speed stays far below it). */
const samplesMax = 200_000;
/** A request that takes longer than this counts as failed. */
const requestTimeoutMs = 3_000;

/** GET /env on a fresh connection (no keep-alive: every request is a new connection through the proxy). */
export function requestBackend(host: string, port: number, headers: Record<string, string> = {}, path = '/env'): Promise<TrafficSample> {
  const startedMs = Date.now();
  return new Promise((resolve) => {
    const outgoing = request({ host, port, path, agent: false, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => resolve({ startedMs, ok: false, backend: '', error: error.message }));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (response.statusCode !== 200) return resolve({ startedMs, ok: false, backend: '', error: `HTTP ${response.statusCode}: ${body.slice(0, 100)}` });
        let backend = '';
        try {
          backend = String((JSON.parse(body) as Record<string, unknown>)['HOSTNAME'] ?? '');
        } catch {
          backend = '';
        }
        resolve({ startedMs, ok: true, backend, error: '' });
      });
    });
    outgoing.setTimeout(requestTimeoutMs, () => outgoing.destroy(new Error(`no answer within ${requestTimeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ startedMs, ok: false, backend: '', error: error.message }));
    outgoing.end();
  });
}

/**
 * Requests a Service through one node's proxy, back to back, from `workers` concurrent clients,
 * until stopped; every outcome is kept, so a test can count failures and see when traffic moved.
 */
export class TrafficLoop {
  readonly samples: TrafficSample[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(readonly host: string, readonly port: number, workers = 2, private readonly pauseMs = 10) {
    this.done = Promise.all(Array.from({ length: workers }, () => this.work())).then(() => undefined);
  }

  get failures(): TrafficSample[] {
    return this.samples.filter((sample) => !sample.ok);
  }

  async stop(): Promise<TrafficSample[]> {
    this.running = false;
    await this.done;
    return this.samples;
  }

  private async work(): Promise<void> {
    while (this.running && this.samples.length < samplesMax) {
      this.samples.push(await requestBackend(this.host, this.port));
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }
}
