import { conditionsSchema, labelSelectorSchema, localObjectReferenceSchema, objectMetaSchema } from './meta-schemas.ts';
import { s } from './schema.ts';

/** The Pod types (k8s.io/api/core/v1) shared by Pod, PodTemplateSpec and the workload kinds. */

const keySelector = (name: string, description: string) =>
  s.object(name, description, { key: s.string('The key to select.'), name: s.string('Name of the referent.'), optional: s.boolean('Whether it must be defined.') }, ['key']);

const envVarSchema = s.object('io.k8s.api.core.v1.EnvVar', 'EnvVar represents an environment variable present in a Container.', {
  name: s.string('Name of the environment variable.'),
  value: s.string('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container.'),
  valueFrom: s.object('io.k8s.api.core.v1.EnvVarSource', "Source for the environment variable's value. Cannot be used if value is not empty.", {
    configMapKeyRef: keySelector('io.k8s.api.core.v1.ConfigMapKeySelector', 'Selects a key of a ConfigMap.'),
    secretKeyRef: keySelector('io.k8s.api.core.v1.SecretKeySelector', 'Selects a key of a secret in the pod\'s namespace.'),
    fieldRef: s.object('io.k8s.api.core.v1.ObjectFieldSelector', 'Selects a field of the pod.', { apiVersion: s.string(), fieldPath: s.string('Path of the field to select.') }, ['fieldPath']),
    resourceFieldRef: s.any('Selects a resource of the container.'),
  }),
}, ['name']);

const containerPortSchema = s.object('io.k8s.api.core.v1.ContainerPort', 'ContainerPort represents a network port in a single container.', {
  name: s.string('An IANA_SVC_NAME naming this port; referred to by services.'),
  containerPort: s.int32('Number of port to expose on the pod\'s IP address. 0 < x < 65536.'),
  hostPort: s.int32('Number of port to expose on the host.'),
  hostIP: s.string('What host IP to bind the external port to.'),
  protocol: s.string('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".', { enum: ['TCP', 'UDP', 'SCTP'] }),
}, ['containerPort']);

const probeSchema = s.object('io.k8s.api.core.v1.Probe', 'Probe describes a health check to be performed against a container.', {
  exec: s.object(undefined, 'Exec specifies a command to execute in the container.', { command: s.array(s.string()) }),
  httpGet: s.object('io.k8s.api.core.v1.HTTPGetAction', 'HTTPGet specifies an HTTP GET request to perform.', {
    path: s.string(), port: s.intOrString(), host: s.string(), scheme: s.string(), httpHeaders: s.array(s.any()),
  }),
  tcpSocket: s.object(undefined, 'TCPSocket specifies a connection to a TCP port.', { port: s.intOrString(), host: s.string() }),
  grpc: s.any('GRPC specifies a GRPC HealthCheckRequest.'),
  initialDelaySeconds: s.int32('Seconds after the container has started before probes are initiated.'),
  timeoutSeconds: s.int32('Seconds after which the probe times out. Defaults to 1.'),
  periodSeconds: s.int32('How often (in seconds) to perform the probe. Default to 10.'),
  successThreshold: s.int32('Minimum consecutive successes for the probe to be considered successful after having failed.'),
  failureThreshold: s.int32('Minimum consecutive failures for the probe to be considered failed after having succeeded.'),
  terminationGracePeriodSeconds: s.int64(),
});

const volumeMountSchema = s.object('io.k8s.api.core.v1.VolumeMount', 'VolumeMount describes a mounting of a Volume within a container.', {
  name: s.string('This must match the Name of a Volume.'),
  mountPath: s.string("Path within the container at which the volume should be mounted. Must not contain ':'."),
  subPath: s.string(), subPathExpr: s.string(), readOnly: s.boolean(), mountPropagation: s.string(), recursiveReadOnly: s.string(),
}, ['name', 'mountPath']);

export const containerSchema = s.object('io.k8s.api.core.v1.Container', 'A single application container that you want to run within a pod.', {
  name: s.string('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name.'),
  image: s.string('Container image name.'),
  command: s.array(s.string(), 'Entrypoint array. Not executed within a shell.'),
  args: s.array(s.string(), 'Arguments to the entrypoint.'),
  workingDir: s.string("Container's working directory."),
  ports: s.keyedList(containerPortSchema, 'containerPort', 'List of ports to expose from the container.'),
  env: s.keyedList(envVarSchema, 'name', 'List of environment variables to set in the container.'),
  envFrom: s.array(s.any(), 'List of sources to populate environment variables in the container.'),
  resources: s.object('io.k8s.api.core.v1.ResourceRequirements', 'Compute Resources required by this container.', {
    limits: s.map(s.quantity(), 'Limits describes the maximum amount of compute resources allowed.'),
    requests: s.map(s.quantity(), 'Requests describes the minimum amount of compute resources required.'),
    claims: s.array(s.any()),
  }),
  resizePolicy: s.array(s.any()),
  restartPolicy: s.string(),
  volumeMounts: s.keyedList(volumeMountSchema, 'mountPath', "Pod volumes to mount into the container's filesystem."),
  volumeDevices: s.array(s.any()),
  livenessProbe: probeSchema,
  readinessProbe: probeSchema,
  startupProbe: probeSchema,
  lifecycle: s.any('Actions that the management system should take in response to container lifecycle events.'),
  terminationMessagePath: s.string(),
  terminationMessagePolicy: s.string(),
  imagePullPolicy: s.string('Image pull policy. One of Always, Never, IfNotPresent.', { enum: ['Always', 'Never', 'IfNotPresent'] }),
  securityContext: s.any('SecurityContext defines the security options the container should be run with.'),
  stdin: s.boolean(), stdinOnce: s.boolean(), tty: s.boolean(),
}, ['name']);

const keyToPathList = s.array(s.object('io.k8s.api.core.v1.KeyToPath', 'Maps a string key to a path within a volume.', { key: s.string(), path: s.string(), mode: s.int32() }, ['key', 'path']));

const volumeSchema = s.object('io.k8s.api.core.v1.Volume', 'Volume represents a named volume in a pod that may be accessed by any container in the pod.', {
  name: s.string("name of the volume. Must be a DNS_LABEL and unique within the pod."),
  configMap: s.object('io.k8s.api.core.v1.ConfigMapVolumeSource', 'configMap represents a configMap that should populate this volume.', {
    name: s.string(), items: keyToPathList, defaultMode: s.int32(), optional: s.boolean(),
  }),
  secret: s.object('io.k8s.api.core.v1.SecretVolumeSource', 'secret represents a secret that should populate this volume.', {
    secretName: s.string(), items: keyToPathList, defaultMode: s.int32(), optional: s.boolean(),
  }),
  emptyDir: s.object('io.k8s.api.core.v1.EmptyDirVolumeSource', 'emptyDir represents a temporary directory that shares a pod\'s lifetime.', { medium: s.string(), sizeLimit: s.quantity() }),
  hostPath: s.object('io.k8s.api.core.v1.HostPathVolumeSource', 'hostPath represents a pre-existing file or directory on the host machine.', { path: s.string(), type: s.string() }, ['path']),
  persistentVolumeClaim: s.object(undefined, 'A reference to a PersistentVolumeClaim in the same namespace.', { claimName: s.string(), readOnly: s.boolean() }, ['claimName']),
  projected: s.any(), downwardAPI: s.any(), nfs: s.any(), csi: s.any(), ephemeral: s.any(), image: s.any(),
}, ['name']);

const tolerationSchema = s.object('io.k8s.api.core.v1.Toleration', 'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.', {
  key: s.string(), operator: s.string(), value: s.string(), effect: s.string(), tolerationSeconds: s.int64(),
});

export const podSpecSchema = s.object('io.k8s.api.core.v1.PodSpec', 'PodSpec is a description of a pod.', {
  containers: s.keyedList(containerSchema, 'name', 'List of containers belonging to the pod. There must be at least one container in a Pod.'),
  initContainers: s.keyedList(containerSchema, 'name', 'List of initialization containers belonging to the pod.'),
  ephemeralContainers: s.keyedList(s.any(), 'name'),
  volumes: s.keyedList(volumeSchema, 'name', 'List of volumes that can be mounted by containers belonging to the pod.'),
  restartPolicy: s.string('Restart policy for all containers within the pod. One of Always, OnFailure, Never.', { enum: ['Always', 'OnFailure', 'Never'] }),
  terminationGracePeriodSeconds: s.int64('Duration in seconds the pod needs to terminate gracefully.'),
  activeDeadlineSeconds: s.int64(),
  dnsPolicy: s.string('Set DNS policy for the pod. Defaults to "ClusterFirst".'),
  dnsConfig: s.any(),
  nodeSelector: s.stringMap('NodeSelector is a selector which must be true for the pod to fit on a node.'),
  serviceAccountName: s.string('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
  serviceAccount: s.string('Deprecated: use serviceAccountName instead.'),
  automountServiceAccountToken: s.boolean(),
  nodeName: s.string('NodeName indicates in which node this pod is scheduled.'),
  hostNetwork: s.boolean(), hostPID: s.boolean(), hostIPC: s.boolean(), hostUsers: s.boolean(), shareProcessNamespace: s.boolean(),
  securityContext: s.any('SecurityContext holds pod-level security attributes and common container settings.'),
  imagePullSecrets: s.keyedList(localObjectReferenceSchema, 'name'),
  hostname: s.string(), subdomain: s.string(), setHostnameAsFQDN: s.boolean(),
  affinity: s.any("If specified, the pod's scheduling constraints."),
  schedulerName: s.string(),
  tolerations: s.array(tolerationSchema, "If specified, the pod's tolerations."),
  hostAliases: s.keyedList(s.any(), 'ip'),
  priorityClassName: s.string(), priority: s.int32(), preemptionPolicy: s.string(),
  readinessGates: s.array(s.any()),
  runtimeClassName: s.string(),
  enableServiceLinks: s.boolean(),
  overhead: s.map(s.quantity()),
  topologySpreadConstraints: s.keyedList(s.any(), 'topologyKey'),
  os: s.any(), schedulingGates: s.keyedList(s.any(), 'name'), resourceClaims: s.keyedList(s.any(), 'name'), resources: s.any(),
}, ['containers']);

export const podStatusSchema = s.object('io.k8s.api.core.v1.PodStatus', 'PodStatus represents information about the status of a pod.', {
  phase: s.string('The phase of a Pod: Pending, Running, Succeeded, Failed, Unknown.'),
  conditions: conditionsSchema,
  message: s.string(), reason: s.string(), nominatedNodeName: s.string(),
  hostIP: s.string(), hostIPs: s.keyedList(s.any(), 'ip'),
  podIP: s.string(), podIPs: s.keyedList(s.any(), 'ip'),
  startTime: s.time(),
  initContainerStatuses: s.array(s.any()),
  containerStatuses: s.array(s.any(), 'The list has one entry per container in the manifest.'),
  ephemeralContainerStatuses: s.array(s.any()),
  qosClass: s.string(), resize: s.string(), resourceClaimStatuses: s.array(s.any()),
});

export const podTemplateSpecSchema = s.object('io.k8s.api.core.v1.PodTemplateSpec', 'PodTemplateSpec describes the data a pod should have when created from a template.', {
  metadata: objectMetaSchema,
  spec: podSpecSchema,
});

export { labelSelectorSchema };
