import type { JsonObject } from '../api/json.ts';
import { finalizersOf, isBeingDeleted, namespaceOf, podPhase } from '../controller-runtime/index.ts';
import { podClaimNames } from '../scheduler/index.ts';

/** Kubernetes' finalizer that keeps a claim (and so its volume and data) while a pod uses it. */
export const claimProtectionFinalizer = 'kubernetes.io/pvc-protection';

export type ProtectionAction = 'addFinalizer' | 'removeFinalizer' | 'none';

/** A pod uses the claim until it has finished (a pod being deleted may still run: it counts until it is gone). */
export function podUsesClaim(pod: JsonObject, namespace: string, claimName: string): boolean {
  const phase = podPhase(pod);
  return namespaceOf(pod) === namespace && phase !== 'Succeeded' && phase !== 'Failed' && podClaimNames(pod).includes(claimName);
}

/** What the claim needs (Kubernetes' pvc-protection-controller), given whether any pod uses it. Pure. */
export function planClaimProtection(claim: JsonObject, inUse: boolean): ProtectionAction {
  const protectedNow = finalizersOf(claim).includes(claimProtectionFinalizer);
  if (!isBeingDeleted(claim)) return protectedNow ? 'none' : 'addFinalizer';
  return protectedNow && !inUse ? 'removeFinalizer' : 'none';
}
