import { asObject, asString, getPath } from '../../api/json.ts';
import { persistentVolumeClaimResource } from '../../api/registry/kinds/persistent-volume-claim.ts';
import { persistentVolumeResource } from '../../api/registry/kinds/persistent-volume.ts';
import { decodeVolumesListRequest, decodeVolumesResolveRequest, ProtocolLimits, type VolumesListResult, type VolumesResolveResult } from '../protocol/index.ts';
import type { HandlerContext } from './handler-context.ts';

const unbound = { bound: false, volumeName: '', source: '', path: '', hostPathType: '' } as const;

/**
 * `volumes.resolve`: a pod's persistentVolumeClaim volume → the directory of the volume the claim
 * is bound to (controllers/README.md, "Contract: volumes on nodes"): a hostPath or a local path.
 * A claim that is not Bound (or whose volume is gone) answers bound: false; the agent waits.
 */
export async function resolveVolume(request: Uint8Array, context: HandlerContext): Promise<VolumesResolveResult> {
  const { namespace, claimName } = decodeVolumesResolveRequest(request);
  const claim = await context.client.get(persistentVolumeClaimResource, namespace, claimName);
  if (claim === null) return { found: false, ...unbound };
  const volumeName = asString(getPath(claim, ['spec', 'volumeName'])) ?? '';
  if (getPath(claim, ['status', 'phase']) !== 'Bound' || volumeName === '') return { found: true, ...unbound };
  const volume = await context.client.get(persistentVolumeResource, undefined, volumeName);
  if (volume === null) return { found: true, ...unbound };
  const hostPath = asObject(getPath(volume, ['spec', 'hostPath']));
  const local = asObject(getPath(volume, ['spec', 'local']));
  if (hostPath !== undefined) return { found: true, bound: true, volumeName, source: 'hostPath', path: asString(hostPath['path']) ?? '', hostPathType: asString(hostPath['type']) ?? '' };
  if (local !== undefined) return { found: true, bound: true, volumeName, source: 'local', path: asString(local['path']) ?? '', hostPathType: '' };
  // A volume of a kind the process runtime cannot mount (nfs, csi …): reported bound without a path.
  return { found: true, bound: true, volumeName, source: '', path: '', hostPathType: '' };
}

/** `volumes.list`: every PersistentVolume's name (read linearizably), so an agent can remove data no volume owns. */
export async function listVolumes(request: Uint8Array, context: HandlerContext): Promise<VolumesListResult> {
  decodeVolumesListRequest(request);
  const { items } = await context.client.list(persistentVolumeResource);
  const names = items.map((item) => asString(getPath(item, ['metadata', 'name'])) ?? '').filter((name) => name !== '');
  return names.length > ProtocolLimits.volumeNamesMax ? { names: [], complete: false } : { names, complete: true };
}
