import type { ClaimVolume, Pod } from '../pod-types.ts';
import type { ControlPlaneClient } from './control-plane-client.ts';

export const ClaimCacheLimits = {
  /** Claims held (only those of pods on this node). */
  entriesMax: 2_000,
} as const;

/** A claim a pod uses, by namespace and name. */
export interface ClaimReference {
  readonly namespace: string;
  readonly claimName: string;
}

export function claimReferences(pod: Pod): ClaimReference[] {
  const namespace = pod.metadata.namespace ?? 'default';
  return (pod.spec.volumes ?? []).flatMap((volume) => (volume.persistentVolumeClaim === undefined ? [] : [{ namespace, claimName: volume.persistentVolumeClaim.claimName }]));
}

const keyOf = (reference: ClaimReference): string => `${reference.namespace}/${reference.claimName}`;

/**
 * The volumes behind the node's pods' persistentVolumeClaims, for the pod workers' synchronous
 * lookups. A Bound claim's volume never changes (volumeName is fixed once bound), so a bound entry
 * is kept; a missing or unbound claim is asked again at every `ensure` (the pod waits, as kubelet
 * waits for its volumes to attach).
 */
export class ClaimCache {
  private readonly entries = new Map<string, ClaimVolume>();

  constructor(private readonly client: Pick<ControlPlaneClient, 'resolveVolume'>) {}

  claim(namespace: string, claimName: string): ClaimVolume | undefined {
    return this.entries.get(keyOf({ namespace, claimName }));
  }

  /** Resolves what is not known bound yet; throws naming a claim that is missing or not bound (the caller retries). */
  async ensure(references: readonly ClaimReference[], signal?: AbortSignal): Promise<void> {
    for (const reference of references) {
      if (this.entries.get(keyOf(reference))?.bound === true) continue;
      if (!this.entries.has(keyOf(reference)) && this.entries.size >= ClaimCacheLimits.entriesMax) throw new Error(`the agent holds ${ClaimCacheLimits.entriesMax} claims already`);
      const result = await this.client.resolveVolume(reference.namespace, reference.claimName, signal);
      if (!result.found) throw new Error(`persistentvolumeclaim "${reference.claimName}" not found`);
      this.entries.set(keyOf(reference), { bound: result.bound, volumeName: result.volumeName, source: result.source, path: result.path, hostPathType: result.hostPathType });
      if (!result.bound) throw new Error(`persistentvolumeclaim "${reference.claimName}" is not bound yet`);
    }
  }

  retainOnly(references: readonly ClaimReference[]): void {
    const keep = new Set(references.map(keyOf));
    for (const key of this.entries.keys()) if (!keep.has(key)) this.entries.delete(key);
  }
}
