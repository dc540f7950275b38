import type { Etcd3 } from 'etcd3';
import { createPrng, realClock, type Prng } from '../../common/index.ts';
import { HistoryRecorder, type KvInput, type KvOutput } from '../linearizability/index.ts';
import { singleEndpointClient } from '../cluster/index.ts';

export interface KvWorkloadOptions {
  readonly endpoints: readonly string[];
  readonly clients: number;
  readonly keys: number;
  readonly seed: number;
  /** Each call's deadline; a call that misses it is an unknown outcome. */
  readonly callTimeoutMs: number;
  /** Pause between one client's operations. */
  readonly thinkMs: number;
}

/**
 * Concurrent clients doing puts, linearizable gets and compare-and-swaps on a small key set
 * through the etcd3 client, recording every call and return for the linearizability checker.
 * A client never retries an operation: an error or a timeout is recorded as an unknown outcome
 * (the write may have happened) and the client carries on under a fresh identity.
 */
export class KvWorkload {
  readonly recorder = new HistoryRecorder<KvInput, KvOutput>(realClock);
  private readonly clients: Etcd3[];
  private running = false;
  private loops: Promise<void>[] = [];
  private writeSequence = 0;
  acknowledged = 0;
  failed = 0;

  constructor(private readonly options: KvWorkloadOptions) {
    this.clients = options.endpoints.map((endpoint) => singleEndpointClient(endpoint, options.callTimeoutMs));
  }

  start(): void {
    this.running = true;
    const seeds = createPrng(this.options.seed);
    this.loops = Array.from({ length: this.options.clients }, (_, index) => this.clientLoop(index, seeds.fork()));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  close(): void {
    for (const client of this.clients) client.close();
  }

  /** One read of every key after the cluster healed: ends the history with what survived. */
  async finalReads(): Promise<void> {
    for (let key = 0; key < this.options.keys; key++) {
      await this.runOperation(`final-${key}`, { kind: 'get', key: `chaos/key-${key}` }, this.clients[key % this.clients.length]!);
    }
  }

  private async clientLoop(index: number, prng: Prng): Promise<void> {
    let identity = 0;
    while (this.running) {
      const client = this.clients[prng.nextInt(0, this.clients.length)]!;
      const ok = await this.runOperation(`c${index}.${identity}`, this.nextInput(prng), client);
      if (!ok) identity += 1;
      await new Promise((resolve) => setTimeout(resolve, this.options.thinkMs));
    }
  }

  private nextInput(prng: Prng): KvInput {
    const key = `chaos/key-${prng.nextInt(0, this.options.keys)}`;
    const roll = prng.next();
    this.writeSequence += 1;
    if (roll < 0.4) return { kind: 'get', key };
    if (roll < 0.75) return { kind: 'put', key, value: `v${this.writeSequence}` };
    // Values come from a small pool so some swaps succeed.
    const expected = prng.chance(0.2) ? null : `v${Math.max(1, this.writeSequence - prng.nextInt(1, 6))}`;
    return { kind: 'cas', key, expected, value: `v${this.writeSequence}` };
  }

  /** Returns false when the outcome is unknown. */
  private async runOperation(clientId: string, input: KvInput, client: Etcd3): Promise<boolean> {
    const handle = this.recorder.invoke(clientId, input);
    try {
      this.recorder.complete(handle, await execute(client, input));
      this.acknowledged += 1;
      return true;
    } catch {
      this.failed += 1;
      return false;
    }
  }
}

async function execute(client: Etcd3, input: KvInput): Promise<KvOutput> {
  switch (input.kind) {
    case 'get':
      return { kind: 'get', value: await client.get(input.key).string() };
    case 'put':
      await client.put(input.key).value(input.value).exec();
      return { kind: 'put' };
    case 'delete':
      await client.delete().key(input.key).exec();
      return { kind: 'delete' };
    case 'cas': {
      const comparison =
        input.expected === null
          ? client.if(input.key, 'Create', '==', 0)
          : client.if(input.key, 'Value', '==', input.expected);
      const result = await comparison.then(client.put(input.key).value(input.value)).commit();
      return { kind: 'cas', swapped: result.succeeded };
    }
  }
}
