import type { JsonObject } from '../api/json.ts';
import { persistentVolumeClaimResource } from '../api/registry/kinds/persistent-volume-claim.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import { statefulSetResource } from '../api/registry/kinds/stateful-set.ts';
import {
  controllerReference, isApiStatus, isBeingDeleted, keyOf, nameOf, namespaceOf, objectKeyFor, uidOf, type ApiClient, type EventRecorder, type Informer,
} from '../controller-runtime/index.ts';
import { observeDeletion } from './observe-deletion.ts';
import { statefulSetPodName } from './stateful-set-identity.ts';
import { claimsForOrdinal, statefulSetPod } from './stateful-set-pod.ts';

export const statefulSetComponent = 'statefulset-controller';

/** What creating one ordinal's pod came to. */
export type CreateOutcome = 'created' | 'exists' | 'claimTerminating';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Kubernetes' StatefulPodControl: the I/O of one StatefulSet pod — its claims first, then the pod,
 * and the events that `kubectl describe statefulset` shows (messages as Kubernetes words them).
 */
export class StatefulSetPodControl {
  constructor(
    private readonly client: ApiClient,
    private readonly pods: Informer,
    private readonly claims: Informer,
    private readonly events: EventRecorder,
  ) {}

  async createPod(set: JsonObject, template: JsonObject, ordinal: number, revisionName: string): Promise<CreateOutcome> {
    const podName = statefulSetPodName(nameOf(set), ordinal);
    for (const claim of claimsForOrdinal(set, ordinal)) {
      const ready = await this.ensureClaim(set, podName, claim);
      if (!ready) return 'claimTerminating';
    }
    const pod = statefulSetPod(set, template, ordinal, revisionName, controllerReference(set, statefulSetResource));
    try {
      this.pods.observe(await this.client.create(podResource, pod));
    } catch (error) {
      if (isApiStatus(error, 409)) {
        // The cache had not seen it yet (or its deletion is not complete): the ordinal is taken, so wait.
        const existing = await this.client.get(podResource, namespaceOf(set), podName);
        if (existing !== null) this.pods.observe(existing);
        return 'exists';
      }
      this.record(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${nameOf(set)} failed error: ${errorText(error)}`);
      throw error;
    }
    this.record(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${nameOf(set)} successful`);
    return 'created';
  }

  /** Creates the claim if it does not exist; false while a claim of that name is being deleted (the pod must wait for it). */
  private async ensureClaim(set: JsonObject, podName: string, claim: JsonObject): Promise<boolean> {
    const cached = this.claims.cache.get(keyOf(claim));
    if (cached !== undefined) return this.usable(set, podName, cached);
    try {
      this.claims.observe(await this.client.create(persistentVolumeClaimResource, claim));
      this.record(set, 'Normal', 'SuccessfulCreate', `create Claim ${nameOf(claim)} Pod ${podName} in StatefulSet ${nameOf(set)} success`);
      return true;
    } catch (error) {
      if (isApiStatus(error, 409)) {
        const existing = await this.client.get(persistentVolumeClaimResource, namespaceOf(claim), nameOf(claim));
        if (existing === null) return false;
        this.claims.observe(existing);
        return this.usable(set, podName, existing);
      }
      this.record(set, 'Warning', 'FailedCreate', `create Claim ${nameOf(claim)} for Pod ${podName} in StatefulSet ${nameOf(set)} failed error: ${errorText(error)}`);
      throw error;
    }
  }

  private usable(set: JsonObject, podName: string, claim: JsonObject): boolean {
    if (!isBeingDeleted(claim)) return true;
    this.record(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${nameOf(set)} failed error: pvc ${nameOf(claim)} is being deleted`);
    return false;
  }

  async deletePod(set: JsonObject, name: string): Promise<void> {
    const pod = this.pods.cache.get(objectKeyFor(namespaceOf(set), name));
    if (pod === undefined || isBeingDeleted(pod)) return;
    try {
      observeDeletion(this.pods, await this.client.delete(podResource, namespaceOf(pod), name, { uid: uidOf(pod) }));
    } catch (error) {
      this.record(set, 'Warning', 'FailedDelete', `delete Pod ${name} in StatefulSet ${nameOf(set)} failed error: ${errorText(error)}`);
      throw error;
    }
    this.record(set, 'Normal', 'SuccessfulDelete', `delete Pod ${name} in StatefulSet ${nameOf(set)} successful`);
  }

  record(set: JsonObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.record(statefulSetComponent, set, type, reason, message);
  }
}
