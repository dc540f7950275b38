import { asArray, asNumber, asObject, asString, ensureObject, type JsonObject } from '../json.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { errors } from '../status.ts';
import type { ApiContext } from '../context.ts';
import { encodeObject } from './object-codec.ts';
import { mayBeRemoved } from './deletion-state.ts';
import { getObject } from './object-operations.ts';

/** The garbage collector's finalizers (Kubernetes' names): dependents orphaned, or deleted first. */
export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  readonly preconditionUid?: string;
  readonly preconditionResourceVersion?: string;
  readonly dryRun: boolean;
  /** DeleteOptions.gracePeriodSeconds; absent: the kind's (a pod's terminationGracePeriodSeconds). */
  readonly gracePeriodSeconds?: number;
  /** Absent: keep what the object asked for already, else Background (Kubernetes' default for apps/v1). */
  readonly propagationPolicy?: PropagationPolicy;
}

export interface DeleteOutcome {
  readonly object: JsonObject;
  /** False: the object stays, marked with a deletionTimestamp, for its finalizers or its grace period. */
  readonly deletedNow: boolean;
}

/**
 * Kubernetes' DELETE: preconditions, then the propagation policy becomes GC finalizers, then the
 * kind's grace period. With neither finalizers nor grace nor anything else keeping it, the object
 * goes at once; otherwise it is marked (deletionTimestamp = now + grace) and stays until its
 * finalizers are removed and (for a grace period) a later delete with grace 0 confirms it — a
 * pod's agent does that once the containers have stopped. Every write is a compare-and-swap.
 */
export async function deleteObject(
  context: ApiContext,
  definition: ResourceDefinition,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
): Promise<DeleteOutcome> {
  for (let attempt = 0; attempt < context.limits.updateRetriesMax; attempt++) {
    const { stored, object } = await getObject(context, definition, namespace, name);
    checkPreconditions(definition, name, object, options);
    const metadata = ensureObject(object, 'metadata');
    const plan = metadata['deletionTimestamp'] === undefined ? planFirstDelete(context, definition, object, options) : planRepeatedDelete(context, definition, object, options);
    if (plan === 'unchanged' || options.dryRun) return { object, deletedNow: plan === 'remove' };
    if (plan === 'remove') {
      const result = await context.store.delete(stored.key, stored.modRevision, { release: definition.allocation?.held(object) ?? [] });
      if (!result.ok) {
        if (result.reason === 'notFound') throw errors.notFound(definition, name);
        continue;
      }
      metadata['resourceVersion'] = String(result.object.modRevision);
      return { object, deletedNow: true };
    }
    const result = await context.store.update(stored.key, encodeObject(object), stored.modRevision);
    if (!result.ok) continue;
    metadata['resourceVersion'] = String(result.object.modRevision);
    return { object, deletedNow: false };
  }
  throw errors.conflict(definition, name, 'too many concurrent writers; retry');
}

/** The first DELETE: `object` is changed in place into what is written ('mark') unless it goes ('remove'). */
function planFirstDelete(context: ApiContext, definition: ResourceDefinition, object: JsonObject, options: DeleteOptions): 'remove' | 'mark' {
  const metadata = ensureObject(object, 'metadata');
  const finalizers = finalizersForPolicy(asArray(metadata['finalizers']).filter((item): item is string => typeof item === 'string'), options.propagationPolicy);
  const grace = Math.max(0, definition.deletion.gracePeriodSeconds(object, options.gracePeriodSeconds));
  const marked = finalizers.length > 0 || grace > 0 || definition.deletion.blocksRemoval?.(object) === true;
  if (!marked) return 'remove';
  if (finalizers.length > 0) metadata['finalizers'] = finalizers;
  else delete metadata['finalizers'];
  metadata['deletionTimestamp'] = isoSecondsFrom(context.env.clock.nowMs() + grace * 1000);
  metadata['deletionGracePeriodSeconds'] = grace;
  definition.deletion.onMarked?.(object);
  return 'mark';
}

/**
 * A DELETE of an object already marked: a shorter grace period shortens the wait (grace 0 with no
 * finalizers left removes it — how an agent confirms a pod stopped, and `kubectl delete --force`);
 * anything else leaves it as it is.
 */
function planRepeatedDelete(context: ApiContext, definition: ResourceDefinition, object: JsonObject, options: DeleteOptions): 'remove' | 'mark' | 'unchanged' {
  const metadata = ensureObject(object, 'metadata');
  const current = asNumber(metadata['deletionGracePeriodSeconds']) ?? 0;
  const requested = options.gracePeriodSeconds;
  if (requested === undefined || requested >= current) return 'unchanged';
  const grace = Math.max(0, requested);
  metadata['deletionGracePeriodSeconds'] = grace;
  metadata['deletionTimestamp'] = isoSecondsFrom(context.env.clock.nowMs() + grace * 1000);
  return mayBeRemoved(definition, object) ? 'remove' : 'mark';
}

/** Kubernetes' deletionFinalizersForGarbageCollection. */
function finalizersForPolicy(finalizers: readonly string[], policy: PropagationPolicy | undefined): string[] {
  const others = finalizers.filter((item) => item !== orphanFinalizer && item !== foregroundFinalizer);
  switch (policy) {
    case undefined:
      return [...finalizers];
    case 'Orphan':
      return [...others, orphanFinalizer];
    case 'Foreground':
      return [...others, foregroundFinalizer];
    case 'Background':
      return others;
  }
}

function isoSecondsFrom(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function checkPreconditions(definition: ResourceDefinition, name: string, object: JsonObject, options: DeleteOptions): void {
  const metadata = asObject(object['metadata']) ?? {};
  const uid = asString(metadata['uid']) ?? '';
  if (options.preconditionUid !== undefined && options.preconditionUid !== uid) {
    throw errors.conflict(definition, name, `Precondition failed: UID in precondition: ${options.preconditionUid}, UID in object meta: ${uid}`);
  }
  const version = asString(metadata['resourceVersion']) ?? '';
  if (options.preconditionResourceVersion !== undefined && options.preconditionResourceVersion !== version) {
    throw errors.conflict(definition, name, `Precondition failed: ResourceVersion in precondition: ${options.preconditionResourceVersion}, ResourceVersion in object meta: ${version}`);
  }
}
