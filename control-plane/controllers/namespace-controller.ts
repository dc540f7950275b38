import type { Logger } from '../../common/index.ts';
import { asArray, cloneJson, ensureObject, getPath, type JsonObject } from '../api/json.ts';
import { namespaceResource } from '../api/registry/kinds/namespace.ts';
import { listPrefix } from '../api/objects/storage-keys.ts';
import { decodeStored } from '../api/objects/object-codec.ts';
import {
  defaultControllerWorkers, defaultResyncPeriodMs, isBeingDeleted, nameOf, newWorkQueue, runReconcileLoop,
  type Controller, type ControllerContext, type ControllerFactory, type Informer, type ReconcileResult, type WorkQueue,
} from '../controller-runtime/index.ts';

/** Objects deleted per kind per reconcile; the namespace is looked at again until it is empty. */
export const namespaceDeletesPerKindMax = 200;
export const namespaceRecheckMs = 100;

export const namespaceControllerFactory: ControllerFactory = (context) => new NamespaceController(context);

/**
 * Empties namespaces that are going away: one marked Terminating (deletionTimestamp) is emptied and
 * then its `kubernetes` finalizer removed; one already deleted outright has its leftovers deleted.
 */
export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private readonly queue: WorkQueue;
  private readonly namespaces: Informer;
  private readonly logger: Logger;

  constructor(private readonly context: ControllerContext) {
    this.logger = context.logger.child({ controller: this.name });
    this.queue = newWorkQueue(context.env);
    this.namespaces = context.informers.informerFor(namespaceResource);
    this.namespaces.addHandler((change) => {
      if (change.type === 'deleted' || isBeingDeleted(change.object) || getPath(change.object, ['status', 'phase']) === 'Terminating') this.queue.add(nameOf(change.object));
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runReconcileLoop({
      name: this.name, workers: defaultControllerWorkers, queue: this.queue, reconcile: (key) => this.reconcile(key),
      resyncKeys: () => this.namespaces.cache.list().filter(isBeingDeleted).map(nameOf), resyncPeriodMs: defaultResyncPeriodMs, env: this.context.env, logger: this.logger,
    }, signal);
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const namespace = await this.context.client.get(namespaceResource, undefined, name);
    if (namespace !== null && !isBeingDeleted(namespace) && getPath(namespace, ['status', 'phase']) !== 'Terminating') return undefined;
    const remaining = await this.deleteContents(name);
    if (remaining > 0) return { requeueAfterMs: namespaceRecheckMs };
    if (namespace !== null) await this.finalize(namespace);
    return undefined;
  }

  /** Deletes a page of every namespaced kind; returns how many objects were still there. */
  private async deleteContents(namespace: string): Promise<number> {
    let remaining = 0;
    for (const definition of this.context.client.registry.resources) {
      if (!definition.namespaced) continue;
      const page = await this.context.client.context.store.list(listPrefix(definition, namespace), { limit: namespaceDeletesPerKindMax });
      remaining += page.items.length;
      for (const stored of page.items) {
        const object = decodeStored(stored);
        if (isBeingDeleted(object)) continue;
        await this.context.client.delete(definition, namespace, nameOf(object));
      }
    }
    return remaining;
  }

  private async finalize(namespace: JsonObject): Promise<void> {
    const finalizers = asArray(getPath(namespace, ['spec', 'finalizers']));
    if (!finalizers.includes('kubernetes')) return;
    const next = cloneJson(namespace);
    ensureObject(next, 'spec')['finalizers'] = finalizers.filter((item) => item !== 'kubernetes');
    await this.context.client.update(namespaceResource, next);
  }
}
