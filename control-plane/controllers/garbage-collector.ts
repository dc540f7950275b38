import type { Logger } from '../../common/index.ts';
import { cloneJson, ensureObject, type JsonObject } from '../api/json.ts';
import { eventResource } from '../api/registry/kinds/event.ts';
import { apiVersionOf, type ResourceDefinition } from '../api/registry/resource.ts';
import {
  defaultControllerWorkers, defaultResyncPeriodMs, finalizersOf, isBeingDeleted, keyOf, nameOf, namespaceOf, newWorkQueue, ownerReferencesOf, runReconcileLoop, uidOf,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type OwnerReference, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';
import { ownerIndex, ownerUids } from './owner-index.ts';
import { foregroundFinalizer, orphanFinalizer } from '../api/objects/delete-object.ts';


export const garbageCollectorFactory: ControllerFactory = (context) => new GarbageCollector(context);

/**
 * Deletes objects whose owners are all gone (background cascading deletion), drops references to
 * owners that are gone while others remain, and serves owners being deleted with the `orphan`
 * finalizer (dependents lose the reference) or `foregroundDeletion` (dependents are deleted first).
 * Owners are checked with a live read, never from a cache that might lag behind the dependent's.
 */
export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly queue: WorkQueue;
  private readonly informers: Informer[];
  private readonly byKind = new Map<string, Informer>();
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.informers = context.client.registry.resources.filter((definition) => definition !== eventResource).map((definition) => context.informers.informerFor(definition));
    for (const informer of this.informers) {
      const kindId = kindKey(informer.definition);
      this.byKind.set(kindId, informer);
      informer.addIndex(ownerIndex, ownerUids);
      informer.addHandler((change) => {
        if (change.type === 'deleted') for (const dependent of this.dependentsOf(uidOf(change.object))) this.queue.add(dependent);
        else if (ownerReferencesOf(change.object).length > 0) this.queue.add(`${kindId}|${keyOf(change.object)}`);
        if (change.type !== 'deleted' && isBeingDeleted(change.object) && hasGcFinalizer(change.object)) this.queue.add(`${kindId}|${keyOf(change.object)}`);
      });
    }
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.informers.flatMap((informer) => informer.cache.list().filter((object) => ownerReferencesOf(object).length > 0).map((object) => `${kindKey(informer.definition)}|${keyOf(object)}`)),
      resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  private dependentsOf(uid: string): string[] {
    return this.informers.flatMap((informer) => informer.cache.byIndex(ownerIndex, uid).map((object) => `${kindKey(informer.definition)}|${keyOf(object)}`));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const separator = key.indexOf('|');
    const informer = this.byKind.get(key.slice(0, separator));
    const object = informer?.cache.get(key.slice(separator + 1));
    if (informer === undefined || object === undefined) return undefined;
    if (isBeingDeleted(object) && hasGcFinalizer(object)) return this.finishOwner(informer, object);
    const references = ownerReferencesOf(object);
    if (references.length === 0) return undefined;
    const states = await Promise.all(references.map((reference) => this.ownerState(object, reference)));
    if (states.every((state) => state === 'absent')) {
      await this.context.client.delete(informer.definition, namespaceOf(object) || undefined, nameOf(object), { uid: uidOf(object) });
      return undefined;
    }
    if (states.some((state) => state === 'foreground')) {
      await this.context.client.delete(informer.definition, namespaceOf(object) || undefined, nameOf(object), { uid: uidOf(object) });
      return undefined;
    }
    const dangling = new Set(references.filter((_, index) => states[index] === 'absent').map((reference) => reference.uid));
    if (dangling.size > 0) await this.dropReferences(informer, object, dangling);
    return undefined;
  }

  /** 'absent' (gone, or another object of that name), 'foreground' (being deleted in foreground), else 'present'. */
  private async ownerState(dependent: JsonObject, reference: OwnerReference): Promise<'absent' | 'present' | 'foreground'> {
    const definition = this.context.client.registry.findKind(reference.apiVersion, reference.kind);
    // An owner of a kind we do not serve cannot be checked: never delete on a guess.
    if (definition === undefined) return 'present';
    const owner = await this.context.client.get(definition, definition.namespaced ? namespaceOf(dependent) : undefined, reference.name);
    if (owner === null || uidOf(owner) !== reference.uid) return 'absent';
    return isBeingDeleted(owner) && finalizersOf(owner).includes(foregroundFinalizer) ? 'foreground' : 'present';
  }

  private async dropReferences(informer: Informer, object: JsonObject, uids: ReadonlySet<string>): Promise<void> {
    const next = cloneJson(object);
    const kept = ownerReferencesOf(object).filter((reference) => !uids.has(reference.uid)).map((reference) => ({ ...reference }));
    // As Kubernetes: no references left means no field (clients test for its absence).
    if (kept.length > 0) ensureObject(next, 'metadata')['ownerReferences'] = kept;
    else delete ensureObject(next, 'metadata')['ownerReferences'];
    informer.observe(await this.context.client.update(informer.definition, next));
  }

  /** An owner with a GC finalizer: orphan or delete its dependents, then let it go. */
  private async finishOwner(informer: Informer, owner: JsonObject): Promise<ReconcileResult> {
    const uid = uidOf(owner);
    const orphan = finalizersOf(owner).includes(orphanFinalizer);
    let remaining = 0;
    for (const dependentInformer of this.informers) {
      for (const dependent of dependentInformer.cache.byIndex(ownerIndex, uid)) {
        remaining++;
        if (orphan) await this.dropReferences(dependentInformer, dependent, new Set([uid]));
        else if (!isBeingDeleted(dependent)) await this.context.client.delete(dependentInformer.definition, namespaceOf(dependent) || undefined, nameOf(dependent), { uid: uidOf(dependent) });
      }
    }
    if (!orphan && remaining > 0) return { requeueAfterMs: 200 };
    const next = cloneJson(owner);
    ensureObject(next, 'metadata')['finalizers'] = finalizersOf(owner).filter((finalizer) => finalizer !== orphanFinalizer && finalizer !== foregroundFinalizer);
    await this.context.client.update(informer.definition, next);
    return undefined;
  }
}

function kindKey(definition: ResourceDefinition): string {
  return `${apiVersionOf(definition)}/${definition.kind}`;
}

function hasGcFinalizer(object: JsonObject): boolean {
  const finalizers = finalizersOf(object);
  return finalizers.includes(orphanFinalizer) || finalizers.includes(foregroundFinalizer);
}
