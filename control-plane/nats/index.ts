// The control plane's NATS bridge (see README.md) and the protocol agents speak to it.
export { startNatsBridge } from './bridge.ts';
export type { NatsBridge, NatsBridgeOptions } from './bridge.ts';
export { replicaLeadership } from './leadership.ts';
export type { Leadership, LeaderSource } from './leadership.ts';
export { mergePodStatus } from './handlers/pod-status-merge.ts';
export { mergeNodeStatus } from './handlers/node-status-merge.ts';
export { hostPortsValue } from './handlers/pods-status-handler.ts';
export { routePodChange } from './pod-event-routing.ts';
export { SubjectSequences } from './node-sequences.ts';
export * from './protocol/index.ts';
export { DeferredPodStreams } from './deferred-pod-streams.ts';
