import type { ApiContext } from './context.ts';
import { ApiError } from './status.ts';
import { createObject } from './objects/object-operations.ts';
import { namespaceResource } from './registry/kinds/namespace.ts';

/** The namespaces every Kubernetes cluster has; made at start when missing (any replica may race: AlreadyExists is fine). */
export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function bootstrapNamespaces(context: ApiContext): Promise<void> {
  for (const name of systemNamespaces) {
    try {
      await createObject(context, namespaceResource, undefined, { metadata: { name } }, false);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 409)) throw error;
    }
  }
}
