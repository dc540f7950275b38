import { apiRequest, type ApiEndpoint } from './api-client.ts';
import { startApiCluster } from './api-cluster.ts';
import { WatchFanout } from './api-watch-fanout.ts';
import { LatencyRecorder } from './latency.ts';
import { fixed } from './table.ts';

export interface ApiBenchOptions {
  /** ConfigMaps created in the create phase (the issue: 10,000). */
  readonly objects: number;
  /** Concurrent clients of the create phase (the issue: 64). */
  readonly clients: number;
  /** Concurrent watches of the fan-out phase (the issue: 1,000). */
  readonly watches: number;
  /** Writes whose events fan out to every watch. */
  readonly fanoutWrites: number;
}

export const apiBenchDefaults: ApiBenchOptions = { objects: 10_000, clients: 64, watches: 1_000, fanoutWrites: 100 };

/** The goals: printed next to the figures, never asserted. */
const goals = { createsPerSecond: 2_000, watchDeliveryP99Ms: 100 } as const;
/** Full lists of every ConfigMap, timed one by one. */
const listRounds = 6;
/** Gap between fan-out writes: paced, so the figure is delivery latency, not a queue built by a burst. */
const fanoutIntervalMs = 20;
const namespace = 'bench';

/**
 * `npm run bench -- api`: against 3 real replicas over HTTPS with token auth — create ConfigMaps
 * with many keep-alive clients spread over the replicas, list them all, then hold many watches
 * and time how fast one write's event reaches every watcher.
 */
export async function runApiBench(options: ApiBenchOptions, print: (line: string) => void): Promise<void> {
  print(`api bench: 3 replicas, ${options.objects} ConfigMaps by ${options.clients} clients, ${options.watches} watches x ${options.fanoutWrites} writes`);
  const system = await startApiCluster(Math.ceil(options.clients / 3));
  try {
    const endpoints = system.endpoints;
    await expectStatus(apiRequest(endpoints[0] as ApiEndpoint, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }), 201);
    const creates = await createPhase(endpoints, options);
    print(`creates: ${creates.count} in ${fixed(creates.seconds, 2)} s = ${fixed(creates.count / creates.seconds, 0)} creates/s (goal >= ${goals.createsPerSecond}); latency p50 ${fixed(creates.latency.percentileMs(0.5))} ms, p99 ${fixed(creates.latency.percentileMs(0.99))} ms; failures ${creates.failures}`);
    const list = await listPhase(endpoints, options.objects);
    print(`list of ${options.objects} ConfigMaps (linearizable, one request): p50 ${fixed(list.percentileMs(0.5))} ms, max ${fixed(list.percentileMs(1))} ms over ${listRounds} lists on all replicas`);
    const fanout = await fanoutPhase(endpoints, options);
    print(`watch fan-out: ${options.watches} watches, ${fanout.delivered} of ${options.watches * options.fanoutWrites} events delivered; delivery after the write's ack p50 ${fixed(fanout.delivery.percentileMs(0.5))} ms, p99 ${fixed(fanout.delivery.percentileMs(0.99))} ms, max ${fixed(fanout.delivery.percentileMs(1))} ms (goal p99 <= ${goals.watchDeliveryP99Ms} ms)`);
  } finally {
    await system.stop();
  }
}

async function expectStatus(answer: Promise<{ status: number; body: string }>, status: number): Promise<void> {
  const got = await answer;
  if (got.status !== status) throw new Error(`expected ${status}, got ${got.status}: ${got.body}`);
}

function configMap(name: string): object {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { bench: 'api' } }, data: { key: name, payload: 'x'.repeat(64) } };
}

async function createPhase(endpoints: readonly ApiEndpoint[], options: ApiBenchOptions): Promise<{ count: number; seconds: number; latency: LatencyRecorder; failures: number }> {
  const latency = new LatencyRecorder();
  let next = 0;
  let failures = 0;
  const startedMs = performance.now();
  const client = async (clientIndex: number): Promise<void> => {
    const endpoint = endpoints[clientIndex % endpoints.length] as ApiEndpoint;
    for (let index = next++; index < options.objects; index = next++) {
      const sentMs = performance.now();
      const answer = await apiRequest(endpoint, 'POST', `/api/v1/namespaces/${namespace}/configmaps`, configMap(`cm-${index}`)).catch(() => ({ status: 0, body: '' }));
      if (answer.status === 201) latency.record(performance.now() - sentMs);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  return { count: latency.count(), seconds: (performance.now() - startedMs) / 1000, latency, failures };
}

async function listPhase(endpoints: readonly ApiEndpoint[], expected: number): Promise<LatencyRecorder> {
  const latency = new LatencyRecorder();
  for (let round = 0; round < listRounds; round++) {
    const endpoint = endpoints[round % endpoints.length] as ApiEndpoint;
    const sentMs = performance.now();
    const answer = await apiRequest(endpoint, 'GET', `/api/v1/namespaces/${namespace}/configmaps`, undefined, 120_000);
    latency.record(performance.now() - sentMs);
    const items = (JSON.parse(answer.body) as { items?: unknown[] }).items?.length ?? 0;
    if (items < expected) throw new Error(`a list returned ${items} of ${expected} ConfigMaps`);
  }
  return latency;
}

async function fanoutPhase(endpoints: readonly ApiEndpoint[], options: ApiBenchOptions): Promise<WatchFanout> {
  const head = JSON.parse((await apiRequest(endpoints[0] as ApiEndpoint, 'GET', `/api/v1/namespaces/${namespace}/configmaps?limit=1`)).body) as { metadata: { resourceVersion: string } };
  const fanout = new WatchFanout('fan-');
  await fanout.open(endpoints, options.watches, `/api/v1/namespaces/${namespace}/configmaps`, head.metadata.resourceVersion);
  try {
    for (let index = 0; index < options.fanoutWrites; index++) {
      const endpoint = endpoints[index % endpoints.length] as ApiEndpoint;
      await expectStatus(apiRequest(endpoint, 'POST', `/api/v1/namespaces/${namespace}/configmaps`, configMap(`fan-${index}`)), 201);
      fanout.acknowledged(`fan-${index}`, performance.now());
      await new Promise((resolve) => setTimeout(resolve, fanoutIntervalMs));
    }
    const deadline = performance.now() + 30_000;
    while (fanout.delivered < options.watches * options.fanoutWrites && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    fanout.close();
  }
  return fanout;
}
