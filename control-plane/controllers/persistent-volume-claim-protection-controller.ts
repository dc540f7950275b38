import type { Logger } from '../../common/index.ts';
import { cloneJson, ensureObject, type JsonObject } from '../api/json.ts';
import { persistentVolumeClaimResource } from '../api/registry/kinds/persistent-volume-claim.ts';
import { podResource } from '../api/registry/kinds/pod.ts';
import {
  defaultControllerWorkers, defaultResyncPeriodMs, finalizersOf, isApiStatus, keyOf, nameOf, namespaceOf, newWorkQueue, objectKeyFor, runReconcileLoop,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { podClaimNames } from '../scheduler/index.ts';
import { claimProtectionFinalizer, planClaimProtection, podUsesClaim } from './persistent-volume-claim-protection-plan.ts';

export const claimProtectionControllerFactory: ControllerFactory = (context) => new ClaimProtectionController(context);

/**
 * Kubernetes' PVC protection: every claim carries the `kubernetes.io/pvc-protection` finalizer
 * (Kubernetes adds it at admission; here the controller adds it, moments after creation), so that
 * deleting a claim still used by a pod only marks it; the finalizer goes when no pod uses it any
 * more (confirmed with a live list), and only then can the claim's volume be released and reclaimed.
 */
export class ClaimProtectionController implements Controller {
  readonly name = 'pvc-protection';
  private readonly queue: WorkQueue;
  private readonly claims: Informer;
  private readonly pods: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.claims = context.informers.informerFor(persistentVolumeClaimResource);
    this.pods = context.informers.informerFor(podResource);
    this.claims.addHandler((change) => {
      if (change.type !== 'deleted') this.queue.add(keyOf(change.object));
    });
    // A pod that finishes or goes may be what a terminating claim waits for.
    this.pods.addHandler((change) => {
      for (const claimName of podClaimNames(change.object)) this.queue.add(objectKeyFor(namespaceOf(change.object), claimName));
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.claims.cache.keys(), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const claim = this.claims.cache.get(key);
    if (claim === undefined) return undefined;
    const inCache = this.pods.cache.list().some((pod) => podUsesClaim(pod, namespaceOf(claim), nameOf(claim)));
    let action = planClaimProtection(claim, inCache);
    // Removing the finalizer on a stale cache would free a volume a new pod is using: confirm with a live list.
    if (action === 'removeFinalizer') {
      const live = (await this.context.client.list(podResource, namespaceOf(claim))).items;
      action = planClaimProtection(claim, live.some((pod) => podUsesClaim(pod, namespaceOf(claim), nameOf(claim))));
    }
    if (action === 'none') return undefined;
    const finalizers = finalizersOf(claim).filter((finalizer) => finalizer !== claimProtectionFinalizer);
    await this.writeFinalizers(claim, action === 'addFinalizer' ? [...finalizers, claimProtectionFinalizer] : finalizers);
    return undefined;
  }

  private async writeFinalizers(claim: JsonObject, finalizers: string[]): Promise<void> {
    const next = cloneJson(claim);
    ensureObject(next, 'metadata')['finalizers'] = finalizers;
    try {
      const written = await this.context.client.update(persistentVolumeClaimResource, next);
      // The last finalizer's removal deletes the claim.
      if ((written['metadata'] as JsonObject | undefined)?.['deletionTimestamp'] !== undefined && finalizers.length === 0) this.claims.observeDeleted(written);
      else this.claims.observe(written);
    } catch (error) {
      if (!isApiStatus(error, 404)) throw error;
    }
  }
}
