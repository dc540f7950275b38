/**
 * Field numbers of the Kubernetes protobuf messages (k8s.io/api/<group>/<version>/generated.proto) for the kinds
 * kubectl's typed clients send as protobuf (`kubectl create configmap|secret|namespace|serviceaccount|deployment|service|job|cronjob`).
 * Other kinds are refused with a 415 that says to send JSON.
 */
export type ProtoType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool' | 'time' | 'quantity' | 'intOrString' | { readonly message: string };

export interface ProtoField {
  readonly name: string;
  readonly type: ProtoType;
  readonly repeated?: boolean;
  /** A map<string, type>: repeated entries {1: key, 2: value}. */
  readonly map?: boolean;
  /** A Go pointer field: present only when set, so a zero value is meaningful (replicas: 0). */
  readonly pointer?: boolean;
}

type MessageTable = Readonly<Record<number, ProtoField>>;

const f = (name: string, type: ProtoType, options: { repeated?: boolean; map?: boolean; pointer?: boolean } = {}): ProtoField => ({ name, type, ...options });
const p = (name: string, type: ProtoType): ProtoField => ({ name, type, pointer: true });
const m = (message: string): ProtoType => ({ message });

export const messages: Readonly<Record<string, MessageTable>> = {
  ObjectMeta: {
    1: f('name', 'string'), 2: f('generateName', 'string'), 3: f('namespace', 'string'), 4: f('selfLink', 'string'), 5: f('uid', 'string'),
    6: f('resourceVersion', 'string'), 7: f('generation', 'int64'), 8: f('creationTimestamp', 'time'), 9: f('deletionTimestamp', 'time'),
    10: p('deletionGracePeriodSeconds', 'int64'), 11: f('labels', 'string', { map: true }), 12: f('annotations', 'string', { map: true }),
    13: f('ownerReferences', m('OwnerReference'), { repeated: true }), 14: f('finalizers', 'string', { repeated: true }),
  },
  OwnerReference: { 1: f('kind', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: p('controller', 'bool'), 7: p('blockOwnerDeletion', 'bool') },
  ObjectReference: {
    1: f('kind', 'string'), 2: f('namespace', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('resourceVersion', 'string'), 7: f('fieldPath', 'string'),
  },
  LocalObjectReference: { 1: f('name', 'string') },
  ConfigMap: { 1: f('metadata', m('ObjectMeta')), 2: f('data', 'string', { map: true }), 3: f('binaryData', 'bytes', { map: true }), 4: p('immutable', 'bool') },
  Secret: { 1: f('metadata', m('ObjectMeta')), 2: f('data', 'bytes', { map: true }), 3: f('type', 'string'), 4: f('stringData', 'string', { map: true }), 5: p('immutable', 'bool') },
  Namespace: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('NamespaceSpec')), 3: f('status', m('NamespaceStatus')) },
  NamespaceSpec: { 1: f('finalizers', 'string', { repeated: true }) },
  NamespaceStatus: { 1: f('phase', 'string') },
  ServiceAccount: {
    1: f('metadata', m('ObjectMeta')), 2: f('secrets', m('ObjectReference'), { repeated: true }), 3: f('imagePullSecrets', m('LocalObjectReference'), { repeated: true }),
    4: p('automountServiceAccountToken', 'bool'),
  },
  Deployment: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('DeploymentSpec')), 3: f('status', m('Empty')) },
  DeploymentSpec: {
    1: p('replicas', 'int32'), 2: p('selector', m('LabelSelector')), 3: f('template', m('PodTemplateSpec')), 4: f('strategy', m('DeploymentStrategy')),
    5: f('minReadySeconds', 'int32'), 6: p('revisionHistoryLimit', 'int32'), 7: f('paused', 'bool'), 9: p('progressDeadlineSeconds', 'int32'),
  },
  DeploymentStrategy: { 1: f('type', 'string'), 2: f('rollingUpdate', m('RollingUpdateDeployment')) },
  RollingUpdateDeployment: { 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') },
  LabelSelector: { 1: f('matchLabels', 'string', { map: true }), 2: f('matchExpressions', m('LabelSelectorRequirement'), { repeated: true }) },
  LabelSelectorRequirement: { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', { repeated: true }) },
  PodTemplateSpec: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('PodSpec')) },
  PodSpec: {
    1: f('volumes', m('Unsupported'), { repeated: true }), 2: f('containers', m('Container'), { repeated: true }), 3: f('restartPolicy', 'string'),
    4: p('terminationGracePeriodSeconds', 'int64'), 5: p('activeDeadlineSeconds', 'int64'), 6: f('dnsPolicy', 'string'), 7: f('nodeSelector', 'string', { map: true }),
    8: f('serviceAccountName', 'string'), 9: f('serviceAccount', 'string'), 10: f('nodeName', 'string'), 11: f('hostNetwork', 'bool'), 12: f('hostPID', 'bool'),
    13: f('hostIPC', 'bool'), 14: p('securityContext', m('Empty')), 15: f('imagePullSecrets', m('LocalObjectReference'), { repeated: true }),
    16: f('hostname', 'string'), 17: f('subdomain', 'string'), 19: f('schedulerName', 'string'), 24: f('priorityClassName', 'string'),
  },
  Container: {
    1: f('name', 'string'), 2: f('image', 'string'), 3: f('command', 'string', { repeated: true }), 4: f('args', 'string', { repeated: true }),
    5: f('workingDir', 'string'), 6: f('ports', m('ContainerPort'), { repeated: true }), 7: f('env', m('EnvVar'), { repeated: true }),
    8: f('resources', m('ResourceRequirements')), 9: f('volumeMounts', m('Unsupported'), { repeated: true }), 10: p('livenessProbe', m('Unsupported')),
    11: p('readinessProbe', m('Unsupported')), 12: p('lifecycle', m('Unsupported')), 13: f('terminationMessagePath', 'string'), 14: f('imagePullPolicy', 'string'),
    15: p('securityContext', m('Unsupported')), 16: f('stdin', 'bool'), 17: f('stdinOnce', 'bool'), 18: f('tty', 'bool'), 20: f('terminationMessagePolicy', 'string'),
    22: p('startupProbe', m('Unsupported')),
  },
  ContainerPort: { 1: f('name', 'string'), 2: f('hostPort', 'int32'), 3: f('containerPort', 'int32'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string'), 3: p('valueFrom', m('Unsupported')) },
  ResourceRequirements: { 1: f('limits', 'quantity', { map: true }), 2: f('requests', 'quantity', { map: true }) },
  Service: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('ServiceSpec')), 3: f('status', m('Empty')) },
  ServiceSpec: {
    1: f('ports', m('ServicePort'), { repeated: true }), 2: f('selector', 'string', { map: true }), 3: f('clusterIP', 'string'), 4: f('type', 'string'),
    5: f('externalIPs', 'string', { repeated: true }), 7: f('sessionAffinity', 'string'), 8: f('loadBalancerIP', 'string'),
    9: f('loadBalancerSourceRanges', 'string', { repeated: true }), 10: f('externalName', 'string'), 11: f('externalTrafficPolicy', 'string'),
    12: f('healthCheckNodePort', 'int32'), 13: f('publishNotReadyAddresses', 'bool'), 17: p('ipFamilyPolicy', 'string'), 18: f('clusterIPs', 'string', { repeated: true }),
    19: f('ipFamilies', 'string', { repeated: true }), 20: p('allocateLoadBalancerNodePorts', 'bool'), 21: p('loadBalancerClass', 'string'), 22: p('internalTrafficPolicy', 'string'),
  },
  ServicePort: { 1: f('name', 'string'), 2: f('protocol', 'string'), 3: f('port', 'int32'), 4: f('targetPort', 'intOrString'), 5: f('nodePort', 'int32'), 6: p('appProtocol', 'string') },
  Job: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('JobSpec')), 3: f('status', m('Empty')) },
  JobSpec: {
    1: p('parallelism', 'int32'), 2: p('completions', 'int32'), 3: p('activeDeadlineSeconds', 'int64'), 4: p('selector', m('LabelSelector')), 5: p('manualSelector', 'bool'),
    6: f('template', m('PodTemplateSpec')), 7: p('backoffLimit', 'int32'), 8: p('ttlSecondsAfterFinished', 'int32'), 9: p('completionMode', 'string'), 10: p('suspend', 'bool'),
    12: p('backoffLimitPerIndex', 'int32'), 13: p('maxFailedIndexes', 'int32'), 14: p('podReplacementPolicy', 'string'), 15: p('managedBy', 'string'),
  },
  CronJob: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('CronJobSpec')), 3: f('status', m('Empty')) },
  CronJobSpec: {
    1: f('schedule', 'string'), 2: p('startingDeadlineSeconds', 'int64'), 3: f('concurrencyPolicy', 'string'), 4: p('suspend', 'bool'), 5: f('jobTemplate', m('JobTemplateSpec')),
    6: p('successfulJobsHistoryLimit', 'int32'), 7: p('failedJobsHistoryLimit', 'int32'), 8: p('timeZone', 'string'),
  },
  JobTemplateSpec: { 1: f('metadata', m('ObjectMeta')), 2: f('spec', m('JobSpec')) },
  /** A message kubectl sends empty (status, securityContext): any content is refused. */
  Empty: {},
  Unsupported: {},
};

/** The top-level message of each kind a protobuf body may carry. */
export const protobufKinds: ReadonlySet<string> = new Set(['ConfigMap', 'Secret', 'Namespace', 'ServiceAccount', 'Deployment', 'Service', 'Job', 'CronJob']);
