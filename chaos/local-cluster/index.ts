/**
 * chaos/local-cluster/: a whole Flotilla cluster on one machine as real processes, recorded in a
 * state file so any process can act on it (`flotilla up`/`down`/`status`, chaos experiments,
 * end-to-end tests). See README.md.
 */
export { LocalCluster, LocalClusterError } from './local-cluster.ts';
export type { LocalClusterOptions, ComponentStatus } from './local-cluster.ts';
export { isHealthy } from './cluster-health.ts';
export type { ClusterHealth } from './cluster-health.ts';
export { readClusterState, parseClusterState, writeClusterState, stateFilePath, clusterStateVersion, ClusterStateError } from './cluster-state.ts';
export type { ClusterState, ComponentSpec, ComponentKind, ServerRecord, NodeRecord, RelayLinkRecord } from './cluster-state.ts';
export { planCluster, portsNeeded, nodeAddress } from './cluster-plan.ts';
export type { ClusterPlanInput } from './cluster-plan.ts';
export type { ProcessState } from './process-control.ts';
export type { ProcessIdentity } from './process-identity-file.ts';
export type { LinkFault } from './relay-control.ts';
export { partitionFaults } from './relay-control.ts';
export type { ApiCredentials } from './kubeconfig-writer.ts';
export { runApiBalancer, readApiBalancerStatus } from './api-balancer.ts';
export type { ApiBalancerOptions, ApiBalancerStatus } from './api-balancer.ts';
export { ReplicaHealth, eligibleReplicas } from './replica-health.ts';
export { runRelayHost } from './relay-host.ts';
export { checkPrerequisites, formatPrerequisites, minimumNodeMajor } from './prerequisites.ts';
export type { PrerequisiteFacts, PrerequisiteReport, Prerequisite } from './prerequisites.ts';
export { gatherPrerequisiteFacts, findExecutable } from './prerequisite-facts.ts';
export { claimSupervisor, releaseSupervisor, stopSupervisor, liveSupervisor } from './supervisor-record.ts';
export { httpRequest } from './http-request.ts';
export type { HttpRequest, HttpAnswer } from './http-request.ts';
export { LocalClusterLimits, ApiBalancerLimits } from './limits.ts';
export { runUp } from './run-up.ts';
export type { UpOptions } from './run-up.ts';
export { runDown } from './run-down.ts';
export { formatComponentStatus } from './status-report.ts';
export { deployDemo, waitForDemo, demoDirectory } from './demo-app.ts';
export type { DemoUrls } from './demo-app.ts';
