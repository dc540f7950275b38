export { runKvBench } from './kv-bench.ts';
export type { KvBenchOptions } from './kv-bench.ts';
export { runFailoverBench } from './failover-bench.ts';
export { startEtcdCluster } from './etcd-cluster.ts';
export { runKvWorkload, createClient, waitWritable } from './kv-workload.ts';
export type { WorkloadResult, KvWorkloadOptions } from './kv-workload.ts';
