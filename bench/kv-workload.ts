import { Etcd3 } from 'etcd3';
import { createPrng } from '../common/index.ts';
import { LatencyRecorder } from './latency.ts';

export interface WorkloadResult {
  readonly operation: 'put' | 'get';
  readonly concurrency: number;
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
}

export interface KvWorkloadOptions {
  readonly endpoints: readonly string[];
  readonly valueBytes: number;
  readonly keyCount: number;
  readonly durationMs: number;
  readonly concurrencies: readonly number[];
}

/** Waits until the cluster accepts a write (it has elected a leader), up to a deadline. */
export async function waitWritable(client: Etcd3, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      await client.put('bench/ready').value('1');
      return;
    } catch (error) {
      if (Date.now() > until) throw new Error(`cluster did not accept a write within ${deadlineMs} ms`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function createClient(endpoints: readonly string[]): Etcd3 {
  return new Etcd3({ hosts: endpoints.map((endpoint) => `http://${endpoint}`) });
}

/** Puts of fixed-size values over a fixed key set at each concurrency, then linearizable gets. */
export async function runKvWorkload(options: KvWorkloadOptions): Promise<WorkloadResult[]> {
  const client = createClient(options.endpoints);
  try {
    await waitWritable(client, 30_000);
    const value = Buffer.alloc(options.valueBytes, 0x61);
    const keys = Array.from({ length: options.keyCount }, (_, i) => `bench/key-${i}`);
    await Promise.all(keys.map((key) => client.put(key).value(value).exec()));
    const results: WorkloadResult[] = [];
    for (const concurrency of options.concurrencies) {
      results.push(await runPhase('put', concurrency, options.durationMs, keys, (key) => client.put(key).value(value).exec()));
    }
    for (const concurrency of options.concurrencies) {
      results.push(await runPhase('get', concurrency, options.durationMs, keys, (key) => client.get(key).buffer()));
    }
    return results;
  } finally {
    client.close();
  }
}

async function runPhase(
  operation: 'put' | 'get',
  concurrency: number,
  durationMs: number,
  keys: readonly string[],
  request: (key: string) => Promise<unknown>,
): Promise<WorkloadResult> {
  const latencies = new LatencyRecorder();
  const prng = createPrng(concurrency);
  let errors = 0;
  const startedMs = performance.now();
  const stopAtMs = startedMs + durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < stopAtMs) {
      const key = keys[prng.nextInt(0, keys.length)] ?? 'bench/key-0';
      const sentMs = performance.now();
      try {
        await request(key);
        latencies.record(performance.now() - sentMs);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  return {
    operation,
    concurrency,
    opsPerSecond: latencies.count() / elapsedSeconds,
    p50Ms: latencies.percentileMs(0.5),
    p99Ms: latencies.percentileMs(0.99),
    errors,
  };
}
