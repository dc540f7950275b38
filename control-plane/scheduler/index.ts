export { schedule } from './schedule.ts';
export type { ScheduleConfig, ScheduleResult } from './schedule.ts';
export { Scheduler, schedulerFactory, defaultSchedulerOptions, schedulerComponent } from './scheduler.ts';
export type { SchedulerOptions } from './scheduler.ts';
export { SchedulerCache } from './scheduler-cache.ts';
export { SchedulingQueue, defaultSchedulingQueueOptions } from './scheduling-queue.ts';
export type { SchedulingQueueOptions } from './scheduling-queue.ts';
export { NodeInfo, podInfoOf, affinityTerms } from './node-info.ts';
export type { PodInfo, PlacedPod, Snapshot, HostPort, AffinityTerm } from './node-info.ts';
export { filterNode, resourceReasons, FilterReasons, untoleratedTaintReason } from './filters.ts';
export type { FilterState } from './filters.ts';
export { scoreNodes, resourceScore, balancedAllocationScore, normalizeHigherBetter, normalizeLowerBetter, ScoreWeights, maxNodeScore } from './scores.ts';
export type { ResourceScoring } from './scores.ts';
export { failureMessage } from './failure-message.ts';
export { taintsOf, tolerationsOf, toleratesTaint, firstUntoleratedTaint, TaintKeys } from './taints.ts';
export type { Taint, Toleration, TaintEffect } from './taints.ts';
export { matchesRequiredNodeAffinity, preferredNodeAffinityWeight } from './node-affinity.ts';
export { computePodAffinityState, podAffinityReason, PodAffinityReasons } from './pod-affinity.ts';
export { computeSpreadState, spreadReason, TopologySpreadReasons } from './topology-spread.ts';
export { podRequests, nodeAllocatable, nonZeroDefaults } from './resources.ts';
export type { Resources } from './resources.ts';
export { parseQuantity, milliCpu, bytes } from './quantity.ts';
export { bindPodToNode, bindRetriesMax } from '../api/objects/pod-binding.ts';
export type { BindOutcome } from '../api/objects/pod-binding.ts';
export { preFilterVolumes, volumeReason, localVolumeCount, podClaimNames, claimNotFoundMessage, VolumeReasons } from './volume-filter.ts';
export type { VolumeLookup, PodVolumes, BoundClaim, ClaimToBind, VolumePreFilter } from './volume-filter.ts';
export {
  findMatchingVolume, volumeMismatch, volumeAdmitsNode, hasNodeAffinity, accessModesSatisfied, classAdmitsNode, claimClassName, volumeClassName,
  defaultClassName, isWaitForFirstConsumer, claimReferenceOf, isVolumeBoundToClaim, claimRequestBytes, volumeCapacityBytes, VolumeAnnotations, noProvisioner,
} from './volume-matching.ts';
export type { NodeIdentity, ClaimReference, MatchOptions } from './volume-matching.ts';
export { VolumeBinder, VolumeBindingLimits } from './volume-binder.ts';
export type { VolumeBindingOutcome } from './volume-binder.ts';
export { preFilterFailureMessage } from './failure-message.ts';
