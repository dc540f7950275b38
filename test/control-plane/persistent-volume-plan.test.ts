import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { JsonObject } from '../../control-plane/api/json.ts';
import {
  claimBoundToVolume, planClaim, planProvisioning, planVolume, volumeBoundToClaim, volumeUnbound, type ClaimInput,
} from '../../control-plane/controllers/index.ts';
import { planClaimProtection, podUsesClaim } from '../../control-plane/controllers/persistent-volume-claim-protection-plan.ts';
import {
  defaultClassName, findMatchingVolume, localVolumeCount, NodeInfo, preFilterVolumes, volumeReason, VolumeReasons, type VolumeLookup,
} from '../../control-plane/scheduler/index.ts';

function claim(name: string, spec: JsonObject = {}, annotations: Record<string, string> = {}): JsonObject {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7', annotations },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem', ...spec },
    status: { phase: 'Pending' },
  };
}

function volume(name: string, size: string, extra: { className?: string; node?: string; modes?: string[]; phase?: string; claimRef?: JsonObject; labels?: Record<string, string> } = {}): JsonObject {
  const spec: JsonObject = { capacity: { storage: size }, accessModes: extra.modes ?? ['ReadWriteOnce'], storageClassName: extra.className ?? 'manual', volumeMode: 'Filesystem', persistentVolumeReclaimPolicy: 'Retain' };
  if (extra.node !== undefined) spec['nodeAffinity'] = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [extra.node] }] }] } };
  if (extra.claimRef !== undefined) spec['claimRef'] = extra.claimRef;
  return { metadata: { name, labels: extra.labels ?? {}, resourceVersion: '3' }, spec, status: { phase: extra.phase ?? 'Available' } };
}

const node = (name: string) => ({ name, labels: { 'kubernetes.io/hostname': name } });
const localPath: JsonObject = { metadata: { name: 'local-path', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'flotilla.io/local-path', volumeBindingMode: 'WaitForFirstConsumer', reclaimPolicy: 'Delete' };
const manualDelayed: JsonObject = { metadata: { name: 'manual' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };

describe('claim and volume matching (Kubernetes FindMatchingVolume)', () => {
  it('takes the smallest Available volume of the class that is big enough and offers the access modes and labels', () => {
    const volumes = [
      volume('huge', '100Gi'), volume('small', '2Gi'), volume('too-small', '512Mi'), volume('other-class', '1Gi', { className: 'fast' }),
      volume('read-many-only', '1Gi', { modes: ['ReadOnlyMany'] }), volume('released', '1Gi', { phase: 'Released' }), volume('bound', '1Gi', { claimRef: { namespace: 'x', name: 'y', uid: 'z' } }),
    ];
    expect(findMatchingVolume(claim('c'), volumes, { className: 'manual', delayBinding: false })?.['metadata']).toMatchObject({ name: 'small' });
    const labelled = [...volumes, volume('labelled', '50Gi', { labels: { tier: 'ssd' } })];
    expect(findMatchingVolume(claim('c', { selector: { matchLabels: { tier: 'ssd' } } }), labelled, { className: 'manual', delayBinding: false })?.['metadata']).toMatchObject({ name: 'labelled' });
    expect(findMatchingVolume(claim('c', { resources: { requests: { storage: '1Ti' } } }), volumes, { className: 'manual', delayBinding: false })).toBeUndefined();
  });

  it('prefers a volume pre-bound to the claim, and binds nothing else without a node when binding waits for the consumer', () => {
    const preBound = volume('mine', '10Gi', { claimRef: { namespace: 'default', name: 'c' }, phase: 'Pending' });
    expect(findMatchingVolume(claim('c'), [volume('small', '1Gi'), preBound], { className: 'manual', delayBinding: false })?.['metadata']).toMatchObject({ name: 'mine' });
    expect(findMatchingVolume(claim('c'), [volume('small', '1Gi')], { className: 'manual', delayBinding: true })).toBeUndefined();
    const onNode = [volume('on-1', '1Gi', { node: 'node-1' }), volume('on-2', '5Gi', { node: 'node-2' })];
    expect(findMatchingVolume(claim('c'), onNode, { className: 'manual', delayBinding: true, node: node('node-2') })?.['metadata']).toMatchObject({ name: 'on-2' });
  });

  it('never returns a volume that is too small, of another class, or claimed by someone else (property)', () => {
    const arbitraryVolume = fc.record({
      gibibytes: fc.integer({ min: 1, max: 20 }), className: fc.constantFrom('manual', 'fast'), phase: fc.constantFrom('Available', 'Bound', 'Released'),
      claimed: fc.boolean(), node: fc.constantFrom(undefined, 'node-1', 'node-2'),
    });
    fc.assert(fc.property(fc.array(arbitraryVolume, { maxLength: 8 }), fc.integer({ min: 1, max: 20 }), fc.boolean(), (specs, requested, withNode) => {
      const volumes = specs.map((spec, index) => volume(`v${index}`, `${spec.gibibytes}Gi`, {
        className: spec.className, phase: spec.phase, ...(spec.node === undefined ? {} : { node: spec.node }), ...(spec.claimed ? { claimRef: { namespace: 'other', name: 'x', uid: 'u' } } : {}),
      }));
      const wanted = claim('c', { resources: { requests: { storage: `${requested}Gi` } } });
      const match = findMatchingVolume(wanted, volumes, { className: 'manual', delayBinding: false, ...(withNode ? { node: node('node-1') } : {}) });
      if (match === undefined) return;
      const index = Number(String((match['metadata'] as JsonObject)['name']).slice(1));
      const spec = specs[index];
      expect(spec?.gibibytes).toBeGreaterThanOrEqual(requested);
      expect(spec).toMatchObject({ className: 'manual', phase: 'Available', claimed: false });
      if (withNode) expect([undefined, 'node-1']).toContain(spec?.node);
      const smallerFits = specs.some((other) => other.gibibytes >= requested && other.gibibytes < (spec?.gibibytes ?? 0) && other.className === 'manual' && other.phase === 'Available' && !other.claimed && (!withNode || other.node !== 'node-2'));
      expect(smallerFits).toBe(false);
    }));
  });

  it('picks the newest of several default classes', () => {
    const older = { metadata: { name: 'older', creationTimestamp: '2024-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } };
    const newer = { metadata: { name: 'newer', creationTimestamp: '2025-01-01T00:00:00Z', annotations: { 'storageclass.beta.kubernetes.io/is-default-class': 'true' } } };
    expect(defaultClassName([older, newer, { metadata: { name: 'plain' } }])).toBe('newer');
    expect(defaultClassName([{ metadata: { name: 'plain' } }])).toBeUndefined();
  });
});

function claimInput(target: JsonObject, extra: Partial<ClaimInput> = {}): ClaimInput {
  return { claim: target, defaultClassName: 'local-path', storageClass: localPath, volumes: [], selectedNode: undefined, ...extra };
}

describe('PersistentVolume controller plan (Kubernetes syncClaim / syncVolume)', () => {
  it('gives a claim without a class the default one, but never a claim that asked for "" (no class)', () => {
    expect(planClaim(claimInput(claim('c')))).toEqual({ type: 'assignDefaultClass', className: 'local-path' });
    const noClass = planClaim(claimInput(claim('c', { storageClassName: '' }), { storageClass: undefined }));
    expect(noClass).toMatchObject({ type: 'pending', event: { reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' } });
  });

  it('waits for the first consumer, then binds a matching volume on the selected node or asks the provisioner', () => {
    const waiting = claim('c', { storageClassName: 'local-path' });
    expect(planClaim(claimInput(waiting))).toMatchObject({ type: 'pending', event: { reason: 'WaitForFirstConsumer' } });
    const selected = claim('c', { storageClassName: 'local-path' }, { 'volume.kubernetes.io/selected-node': 'node-2' });
    expect(planClaim(claimInput(selected, { selectedNode: node('node-2') }))).toEqual({ type: 'provision', provisioner: 'flotilla.io/local-path' });
    const existing = volume('waiting-on-2', '1Gi', { className: 'local-path', node: 'node-2' });
    const elsewhere = volume('on-1', '1Gi', { className: 'local-path', node: 'node-1' });
    expect(planClaim(claimInput(selected, { selectedNode: node('node-2'), volumes: [elsewhere, existing] }))).toMatchObject({ type: 'bind', volume: { metadata: { name: 'waiting-on-2' } } });
    // A volume already made for the claim on another node (an earlier choice) is bound, not provisioned again.
    const madeOnOne = volume('pvc-uid-c', '1Gi', { className: 'local-path', node: 'node-1', phase: 'Pending', claimRef: { namespace: 'default', name: 'c', uid: 'uid-c' } });
    expect(planClaim(claimInput(selected, { selectedNode: node('node-2'), volumes: [madeOnOne] }))).toMatchObject({ type: 'bind', volume: { metadata: { name: 'pvc-uid-c' } } });
    const classMissing = planClaim(claimInput(claim('c', { storageClassName: 'gone' }), { storageClass: undefined }));
    expect(classMissing).toMatchObject({ type: 'pending', event: { reason: 'ProvisioningFailed', message: 'storageclass.storage.k8s.io "gone" not found' } });
  });

  it('binds a claim to the volume it names unless the volume cannot serve it', () => {
    const named = claim('c', { storageClassName: 'manual', volumeName: 'v' });
    expect(planClaim(claimInput(named, { storageClass: undefined, volumes: [volume('v', '5Gi')] }))).toMatchObject({ type: 'bind' });
    expect(planClaim(claimInput(named, { storageClass: undefined, volumes: [volume('v', '100Mi')] }))).toMatchObject({ type: 'pending', event: { reason: 'VolumeMismatch', message: 'Cannot bind to requested volume "v": requested PV is too small' } });
    const taken = volume('v', '5Gi', { claimRef: { namespace: 'default', name: 'someone-else', uid: 'x' } });
    expect(planClaim(claimInput(named, { storageClass: undefined, volumes: [taken] }))).toMatchObject({ type: 'pending', event: { reason: 'FailedBinding' } });
  });

  it('keeps a bound claim bound and marks it Lost when its volume is gone or taken', () => {
    const bound = claim('c', { storageClassName: 'manual', volumeName: 'v' }, { 'pv.kubernetes.io/bind-completed': 'yes' });
    const mine = volume('v', '1Gi', { claimRef: { namespace: 'default', name: 'c', uid: 'uid-c' }, phase: 'Bound' });
    expect(planClaim(claimInput(bound, { volumes: [mine] }))).toMatchObject({ type: 'bind' });
    expect(planClaim(claimInput(bound, { volumes: [] }))).toMatchObject({ type: 'lost', event: { reason: 'ClaimLost' } });
    const theirs = volume('v', '1Gi', { claimRef: { namespace: 'default', name: 'c', uid: 'another-uid' } });
    expect(planClaim(claimInput(bound, { volumes: [theirs] }))).toMatchObject({ type: 'lost', event: { reason: 'ClaimMisbound' } });
  });

  it('writes the binding as Kubernetes does, and each step only once', () => {
    const target = claim('c', { storageClassName: 'manual' });
    const free = volume('v', '1Gi');
    const boundVolume = volumeBoundToClaim(free, target);
    expect(boundVolume?.['spec']).toMatchObject({ claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'default', name: 'c', uid: 'uid-c', resourceVersion: '7' } });
    expect((boundVolume?.['metadata'] as JsonObject)['annotations']).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes' });
    expect(volumeBoundToClaim(boundVolume ?? {}, target)).toBeNull();
    const boundClaim = claimBoundToVolume(target, free);
    expect(boundClaim?.['spec']).toMatchObject({ volumeName: 'v' });
    expect((boundClaim?.['metadata'] as JsonObject)['annotations']).toEqual({ 'pv.kubernetes.io/bound-by-controller': 'yes', 'pv.kubernetes.io/bind-completed': 'yes' });
    expect(claimBoundToVolume(boundClaim ?? {}, free)).toBeNull();
  });

  it('makes volumes Available, Released when their claim goes, and reclaims by policy', () => {
    expect(planVolume({ volume: volume('v', '1Gi', { phase: 'Pending' }), claim: undefined })).toEqual({ type: 'phase', phase: 'Available' });
    const claimed = { namespace: 'default', name: 'c', uid: 'uid-c' };
    expect(planVolume({ volume: volume('v', '1Gi', { phase: 'Bound', claimRef: claimed }), claim: undefined })).toEqual({ type: 'phase', phase: 'Released' });
    const recreated = claim('c');
    ((recreated['metadata'] as JsonObject))['uid'] = 'a-new-uid';
    expect(planVolume({ volume: volume('v', '1Gi', { phase: 'Bound', claimRef: claimed }), claim: recreated })).toEqual({ type: 'phase', phase: 'Released' });
    const deleteWithoutPlugin = volume('v', '1Gi', { phase: 'Bound', claimRef: claimed });
    (deleteWithoutPlugin['spec'] as JsonObject)['persistentVolumeReclaimPolicy'] = 'Delete';
    expect(planVolume({ volume: deleteWithoutPlugin, claim: undefined })).toMatchObject({ type: 'failed', event: { reason: 'VolumeFailedDelete' } });
    const boundElsewhere = claim('c', { volumeName: 'other' });
    expect(planVolume({ volume: volume('v', '1Gi', { phase: 'Bound', claimRef: claimed }), claim: boundElsewhere })).toEqual({ type: 'unbind', keepName: true });
    expect((volumeUnbound(volume('v', '1Gi', { claimRef: claimed }), true)['spec'] as JsonObject)['claimRef']).toEqual({ namespace: 'default', name: 'c' });
  });
});

describe('local-path provisioning', () => {
  const wanting = claim('data', { storageClassName: 'local-path' }, { 'volume.kubernetes.io/storage-provisioner': 'flotilla.io/local-path', 'volume.kubernetes.io/selected-node': 'node-2' });
  const nodeObject = { metadata: { name: 'node-2', labels: { 'kubernetes.io/hostname': 'host-2' }, annotations: { 'flotilla.io/volumes-directory': '/srv/flotilla/volumes' } } };

  it('makes a hostPath volume in the node\'s volumes directory, pinned to the node and pre-bound to the claim', () => {
    const decision = planProvisioning({ claim: wanting, storageClass: localPath, className: 'local-path', node: nodeObject, existing: undefined, defaultVolumesDirectory: '/var/lib/flotilla/volumes' });
    expect(decision.type).toBe('create');
    const created = decision.type === 'create' ? decision.volume : {};
    expect(created['metadata']).toEqual({ name: 'pvc-uid-data', annotations: { 'pv.kubernetes.io/provisioned-by': 'flotilla.io/local-path' } });
    expect(created['spec']).toMatchObject({
      hostPath: { path: '/srv/flotilla/volumes/pvc-uid-data', type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-2'] }] }] } },
      persistentVolumeReclaimPolicy: 'Delete', storageClassName: 'local-path', capacity: { storage: '1Gi' }, claimRef: { name: 'data', uid: 'uid-data' },
    });
    const plainNode = { metadata: { name: 'node-2' } };
    const fallback = planProvisioning({ claim: wanting, storageClass: localPath, className: 'local-path', node: plainNode, existing: undefined, defaultVolumesDirectory: '/var/lib/flotilla/volumes' });
    expect(fallback.type === 'create' ? fallback.volume['spec'] : {}).toMatchObject({
      hostPath: { path: '/var/lib/flotilla/volumes/pvc-uid-data' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }] } },
    });
  });

  it('does nothing twice, asks for a new node when the selected one is gone, and refuses Immediate binding', () => {
    const input = { claim: wanting, storageClass: localPath, className: 'local-path', node: nodeObject, existing: undefined, defaultVolumesDirectory: '/v' };
    expect(planProvisioning({ ...input, existing: volume('pvc-uid-data', '1Gi') })).toEqual({ type: 'none' });
    expect(planProvisioning({ ...input, node: undefined })).toEqual({ type: 'reschedule', message: 'failed to get target node: node "node-2" not found' });
    const immediate = claim('data', { storageClassName: 'local-path' }, { 'volume.kubernetes.io/storage-provisioner': 'flotilla.io/local-path' });
    expect(planProvisioning({ ...input, claim: immediate })).toMatchObject({ type: 'fail' });
    expect(planProvisioning({ ...input, storageClass: manualDelayed })).toEqual({ type: 'none' });
  });
});

function lookup(claims: JsonObject[], volumes: JsonObject[], classes: JsonObject[] = [localPath, manualDelayed]): VolumeLookup {
  return {
    claim: (namespace, name) => claims.find((item) => (item['metadata'] as JsonObject)['name'] === name && (item['metadata'] as JsonObject)['namespace'] === namespace),
    volume: (name) => volumes.find((item) => (item['metadata'] as JsonObject)['name'] === name),
    storageClass: (name) => classes.find((item) => (item['metadata'] as JsonObject)['name'] === name),
    defaultClassName: () => defaultClassName(classes),
    volumes: () => volumes,
  };
}

function podWith(...claimNames: string[]): JsonObject {
  return { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'main' }], volumes: claimNames.map((claimName, index) => ({ name: `v${index}`, persistentVolumeClaim: { claimName } })) } };
}

const nodeInfo = (name: string) => new NodeInfo({ metadata: { name, labels: { 'kubernetes.io/hostname': name } }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } } });

describe('scheduler volume filter and score (Kubernetes VolumeBinding)', () => {
  it('refuses pods whose claim is missing or binds immediately without a volume', () => {
    expect(preFilterVolumes(podWith('missing'), lookup([], []))).toEqual({ ok: false, message: 'persistentvolumeclaim "missing" not found' });
    const immediate = claim('c', { storageClassName: 'fast' });
    expect(preFilterVolumes(podWith('c'), lookup([immediate], [], [{ metadata: { name: 'fast' }, provisioner: 'x.io/y', volumeBindingMode: 'Immediate' }]))).toEqual({ ok: false, message: VolumeReasons.unboundImmediate });
    expect(preFilterVolumes({ metadata: { name: 'p', namespace: 'default' }, spec: {} }, undefined)).toEqual({ ok: true, volumes: null });
  });

  it('sends a pod to the node of its bound local volume', () => {
    const bound = claim('c', { storageClassName: 'manual', volumeName: 'v' });
    const prepared = preFilterVolumes(podWith('c'), lookup([bound], [volume('v', '1Gi', { node: 'node-2', phase: 'Bound' })]));
    if (!prepared.ok) throw new Error(prepared.message);
    expect(volumeReason(nodeInfo('node-1'), prepared.volumes)).toBe(VolumeReasons.nodeConflict);
    expect(volumeReason(nodeInfo('node-2'), prepared.volumes)).toBeNull();
    const dangling = preFilterVolumes(podWith('c'), lookup([bound], []));
    expect(dangling.ok && volumeReason(nodeInfo('node-1'), dangling.volumes)).toBe(VolumeReasons.volumeMissing);
  });

  it('lets an unbound WaitForFirstConsumer claim go anywhere its class can provision, or where a matching volume waits', () => {
    const provisioned = preFilterVolumes(podWith('c'), lookup([claim('c')], []));
    expect(provisioned.ok && [volumeReason(nodeInfo('node-1'), provisioned.volumes), volumeReason(nodeInfo('node-2'), provisioned.volumes)]).toEqual([null, null]);
    const manual = claim('m', { storageClassName: 'manual' });
    const handMade = preFilterVolumes(podWith('m'), lookup([manual], [volume('disk', '1Gi', { node: 'node-2' })]));
    if (!handMade.ok) throw new Error(handMade.message);
    expect(volumeReason(nodeInfo('node-1'), handMade.volumes)).toBe(VolumeReasons.bindConflict);
    expect(volumeReason(nodeInfo('node-2'), handMade.volumes)).toBeNull();
    // Two claims cannot both count on the one volume there.
    const twoClaims = preFilterVolumes(podWith('m', 'm2'), lookup([manual, claim('m2', { storageClassName: 'manual' })], [volume('disk', '1Gi', { node: 'node-2' })]));
    expect(twoClaims.ok && volumeReason(nodeInfo('node-2'), twoClaims.volumes)).toBe(VolumeReasons.bindConflict);
  });

  it('scores the node holding the pod\'s local volumes higher', () => {
    const waitingVolume = volume('ready-disk', '1Gi', { className: 'local-path', node: 'node-2' });
    const prepared = preFilterVolumes(podWith('c'), lookup([claim('c', { storageClassName: 'local-path' })], [waitingVolume]));
    if (!prepared.ok) throw new Error(prepared.message);
    expect([localVolumeCount(nodeInfo('node-1'), prepared.volumes), localVolumeCount(nodeInfo('node-2'), prepared.volumes)]).toEqual([0, 1]);
  });
});

describe('claim protection (kubernetes.io/pvc-protection)', () => {
  it('protects every claim and lets a deleted one go only when no running pod uses it', () => {
    expect(planClaimProtection(claim('c'), false)).toBe('addFinalizer');
    const protectedClaim = claim('c');
    (protectedClaim['metadata'] as JsonObject)['finalizers'] = ['kubernetes.io/pvc-protection'];
    expect(planClaimProtection(protectedClaim, true)).toBe('none');
    (protectedClaim['metadata'] as JsonObject)['deletionTimestamp'] = '2025-01-01T00:00:00Z';
    expect(planClaimProtection(protectedClaim, true)).toBe('none');
    expect(planClaimProtection(protectedClaim, false)).toBe('removeFinalizer');
    const running = { ...podWith('c'), status: { phase: 'Running' } };
    expect(podUsesClaim(running, 'default', 'c')).toBe(true);
    expect(podUsesClaim({ ...running, status: { phase: 'Succeeded' } }, 'default', 'c')).toBe(false);
    expect(podUsesClaim(running, 'other', 'c')).toBe(false);
  });
});
