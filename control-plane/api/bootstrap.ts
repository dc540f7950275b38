import { isFlotillaError } from '../../common/index.ts';
import type { ApiContext } from './context.ts';
import { ApiError } from './status.ts';
import { createObject } from './objects/object-operations.ts';
import { namespaceResource } from './registry/kinds/namespace.ts';
import { defaultStorageClassAnnotation, storageClassResource } from './registry/kinds/storage-class.ts';

/** The namespaces every Kubernetes cluster has; made at start when missing (any replica may race: AlreadyExists is fine). */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function bootstrapNamespaces(context: ApiContext): Promise<void> {
  for (const name of systemNamespaces) await createUnlessPresent(context, () => createObject(context, namespaceResource, undefined, { metadata: { name } }, false));
}

/**
 * The default StorageClass k3s ships (`local-path`): volumes are directories on the node that runs
 * the claim's first pod, made by the local-path provisioner once the scheduler has picked that node.
 */
export const localPathStorageClass = {
  name: 'local-path',
  provisioner: 'flotilla.io/local-path',
} as const;

/**
 * Makes the default class at start when it is missing. As k3s re-applies its bundled manifests, a
 * deleted class comes back at the next start; a class that exists is never changed (so an operator
 * who removed its default annotation keeps that choice).
 */
export async function bootstrapDefaultStorageClass(context: ApiContext): Promise<void> {
  await createUnlessPresent(context, () => createObject(context, storageClassResource, undefined, {
    metadata: { name: localPathStorageClass.name, annotations: { [defaultStorageClassAnnotation]: 'true' } },
    provisioner: localPathStorageClass.provisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  }, false));
}

/** Attempts at one start-up object, `bootstrapRetryMs` apart (about 5 s: elections take well under one). */
export const bootstrapAttemptsMax = 20;
const bootstrapRetryMs = 250;

/**
 * A store error (no leader yet, or leadership lost mid-write with the outcome unknown) is retried:
 * the create is safe to repeat, it either makes the object or answers AlreadyExists. Without the
 * retry, a leader change while a replica starts made its whole API fail and the server exit.
 */
async function createUnlessPresent(context: ApiContext, create: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await create();
      return;
    } catch (error) {
      if (error instanceof ApiError && error.code === 409) return;
      if (!isFlotillaError(error) || attempt >= bootstrapAttemptsMax) throw error;
    }
    await new Promise<void>((resolve) => context.env.timers.setTimeout(resolve, bootstrapRetryMs));
  }
}
