import { startEtcdCluster, type LocalCluster } from './etcd-cluster.ts';
import { startFlotillaCluster } from './flotilla-cluster.ts';
import { runKvWorkload, type KvWorkloadOptions, type WorkloadResult } from './kv-workload.ts';
import { residentMiB } from './rss.ts';
import { fixed, formatTable, ratio } from './table.ts';

export interface KvBenchOptions {
  readonly durationMs: number;
  readonly concurrencies: readonly number[];
}

interface SystemRun {
  readonly results: readonly WorkloadResult[];
  readonly rssMiB: readonly number[];
}

/**
 * `npm run bench -- kv`: the same workload, through the same etcd3 client, against a 3-replica
 * Flotilla cluster and a 3-member etcd 3.4 cluster started in this run on this machine.
 */
export async function runKvBench(options: KvBenchOptions, print: (line: string) => void): Promise<void> {
  const workload = { valueBytes: 256, keyCount: 1000, durationMs: options.durationMs, concurrencies: options.concurrencies };
  print(`kv benchmark: 256-byte puts over 1,000 keys, then linearizable gets; ${options.durationMs} ms per phase`);
  const flotilla = await measure(await startFlotillaCluster(), workload);
  const etcd = await measure(await startEtcdCluster(), workload);
  const rows = flotilla.results.map((ours, i) => {
    const theirs = etcd.results[i];
    return [
      `${ours.operation} c=${ours.concurrency}`,
      fixed(ours.opsPerSecond, 0),
      fixed(theirs?.opsPerSecond ?? Number.NaN, 0),
      ratio(ours.opsPerSecond, theirs?.opsPerSecond ?? Number.NaN),
      `${fixed(ours.p50Ms, 2)} / ${fixed(ours.p99Ms, 2)}`,
      `${fixed(theirs?.p50Ms ?? Number.NaN, 2)} / ${fixed(theirs?.p99Ms ?? Number.NaN, 2)}`,
      `${ours.errors} / ${theirs?.errors ?? 0}`,
    ];
  });
  print(formatTable(['phase', 'flotilla ops/s', 'etcd ops/s', 'ratio', 'flotilla p50/p99 ms', 'etcd p50/p99 ms', 'errors f/e'], rows));
  print(`RSS per replica (MiB): flotilla ${flotilla.rssMiB.map((v) => fixed(v, 0)).join(', ')}; etcd ${etcd.rssMiB.map((v) => fixed(v, 0)).join(', ')}`);
  print('goals: writes >= 1.5x etcd at c=64 and c=256; p99 no worse than etcd; linearizable gets >= 2x etcd; RSS <= 150 MB');
}

async function measure(system: LocalCluster, workload: Omit<KvWorkloadOptions, 'endpoints'>): Promise<SystemRun> {
  try {
    const results = await runKvWorkload({ ...workload, endpoints: system.clientEndpoints });
    const rssMiB = await Promise.all(system.pids().map(residentMiB));
    return { results, rssMiB };
  } finally {
    await system.stop();
  }
}
