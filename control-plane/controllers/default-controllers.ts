import type { ControllerFactory } from '../controller-runtime/index.ts';
import { schedulerFactory, type SchedulerOptions } from '../scheduler/index.ts';
import { cronJobControllerFactory } from './cron-job-controller.ts';
import { deploymentControllerFactory } from './deployment-controller.ts';
import { endpointSliceControllerFactory } from './endpoint-slice-controller.ts';
import { endpointsControllerFactory } from './endpoints-controller.ts';
import { garbageCollectorFactory } from './garbage-collector.ts';
import { jobControllerFactory } from './job-controller.ts';
import { jobTtlControllerFactory } from './job-ttl-controller.ts';
import { namespaceControllerFactory } from './namespace-controller.ts';
import { homelabNodeTimings, type NodeLifecycleTimings } from './node-health.ts';
import { nodeLifecycleControllerFactory } from './node-lifecycle-controller.ts';
import { podGcControllerFactory } from './pod-gc-controller.ts';
import { replicaSetControllerFactory } from './replica-set-controller.ts';
import { statefulSetControllerFactory } from './stateful-set-controller.ts';
import { daemonSetControllerFactory } from './daemon-set-controller.ts';
import { persistentVolumeControllerFactory } from './persistent-volume-controller.ts';
import { localPathProvisionerFactory } from './local-path-provisioner-controller.ts';
import { horizontalPodAutoscalerControllerFactory } from './horizontal-pod-autoscaler-controller.ts';
import { claimProtectionControllerFactory } from './persistent-volume-claim-protection-controller.ts';

/** The scheduler and every controller, as `flotilla server` runs them on the leader. */
export function defaultControllerFactories(options: { scheduler?: Partial<SchedulerOptions>; nodeTimings?: NodeLifecycleTimings } = {}): ControllerFactory[] {
  return [
    schedulerFactory(options.scheduler),
    replicaSetControllerFactory,
    deploymentControllerFactory,
    endpointsControllerFactory,
    endpointSliceControllerFactory,
    garbageCollectorFactory,
    namespaceControllerFactory,
    nodeLifecycleControllerFactory(options.nodeTimings ?? homelabNodeTimings),
    podGcControllerFactory,
    jobControllerFactory(),
    jobTtlControllerFactory,
    cronJobControllerFactory,
    statefulSetControllerFactory,
    daemonSetControllerFactory,
    persistentVolumeControllerFactory,
    localPathProvisionerFactory(),
    horizontalPodAutoscalerControllerFactory(),
    claimProtectionControllerFactory,
  ];
}
