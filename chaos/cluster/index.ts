export { ProcessCluster } from './process-cluster.ts';
export type { ClusterMember, ProcessClusterOptions } from './process-cluster.ts';
export { ServerProcess, flotillaBin } from './server-process.ts';
export type { ServerProcessSpec } from './server-process.ts';
export { currentLeader, waitForLeader, singleEndpointClient } from './leader.ts';
