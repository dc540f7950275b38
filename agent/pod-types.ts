/**
 * The subset of Kubernetes core/v1 that the agent reads and writes. Field names and meanings are
 * Kubernetes'; everything the process runtime ignores is left out so that the compiler tells us
 * when we start depending on something new. When the API server exports shared types, these can
 * become aliases of them.
 */

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly uid: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly resourceVersion?: string;
}

export interface ObjectFieldSelector {
  readonly apiVersion?: string;
  readonly fieldPath: string;
}

export interface ResourceFieldSelector {
  readonly containerName?: string;
  readonly resource: string;
  readonly divisor?: string | number;
}

export interface KeySelector {
  readonly name: string;
  readonly key: string;
  readonly optional?: boolean;
}

export interface EnvVarSource {
  readonly fieldRef?: ObjectFieldSelector;
  readonly resourceFieldRef?: ResourceFieldSelector;
  readonly configMapKeyRef?: KeySelector;
  readonly secretKeyRef?: KeySelector;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: EnvVarSource;
}

export interface NamedOptionalReference {
  readonly name: string;
  readonly optional?: boolean;
}

export interface EnvFromSource {
  readonly prefix?: string;
  readonly configMapRef?: NamedOptionalReference;
  readonly secretRef?: NamedOptionalReference;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: Protocol;
}

export interface HttpHeader {
  readonly name: string;
  readonly value: string;
}

export interface HttpGetAction {
  readonly path?: string;
  readonly port: number | string;
  readonly host?: string;
  readonly scheme?: 'HTTP' | 'HTTPS';
  readonly httpHeaders?: readonly HttpHeader[];
}

export interface TcpSocketAction {
  readonly port: number | string;
  readonly host?: string;
}

export interface ExecAction {
  readonly command: readonly string[];
}

export interface Probe {
  readonly exec?: ExecAction;
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: TcpSocketAction;
  readonly initialDelaySeconds?: number;
  readonly timeoutSeconds?: number;
  readonly periodSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
  /** Probe-level override of the pod's grace period when this probe kills the container. */
  readonly terminationGracePeriodSeconds?: number;
}

export interface LifecycleHandler {
  readonly exec?: ExecAction;
  readonly httpGet?: HttpGetAction;
  /** Kubernetes 1.30+: sleep before SIGTERM. */
  readonly sleep?: { readonly seconds: number };
}

export interface Lifecycle {
  readonly preStop?: LifecycleHandler;
}

export interface ResourceRequirements {
  readonly limits?: Readonly<Record<string, string | number>>;
  readonly requests?: Readonly<Record<string, string | number>>;
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly readOnly?: boolean;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  /** Always, IfNotPresent, Never: the agent never pulls, so each uses the node's local image. */
  readonly imagePullPolicy?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly workingDir?: string;
  readonly env?: readonly EnvVar[];
  readonly envFrom?: readonly EnvFromSource[];
  readonly ports?: readonly ContainerPort[];
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: Lifecycle;
  readonly resources?: ResourceRequirements;
  readonly volumeMounts?: readonly VolumeMount[];
}

export interface KeyToPath {
  readonly key: string;
  readonly path: string;
  readonly mode?: number;
}

export interface ConfigMapVolumeSource {
  readonly name: string;
  readonly items?: readonly KeyToPath[];
  readonly defaultMode?: number;
  readonly optional?: boolean;
}

export interface SecretVolumeSource {
  readonly secretName: string;
  readonly items?: readonly KeyToPath[];
  readonly defaultMode?: number;
  readonly optional?: boolean;
}

export type HostPathType = '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket';

export interface Volume {
  readonly name: string;
  readonly emptyDir?: { readonly medium?: string; readonly sizeLimit?: string };
  readonly configMap?: ConfigMapVolumeSource;
  readonly secret?: SecretVolumeSource;
  readonly hostPath?: { readonly path: string; readonly type?: HostPathType };
  readonly persistentVolumeClaim?: { readonly claimName: string; readonly readOnly?: boolean };
}

/** Where a claim's bound volume lives on this node (resolved through the control plane). */
export interface ClaimVolume {
  readonly bound: boolean;
  readonly volumeName: string;
  /** '' for a volume the process runtime cannot mount (nfs, csi …). */
  readonly source: 'hostPath' | 'local' | '';
  readonly path: string;
  readonly hostPathType: string;
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PodSpec {
  readonly initContainers?: readonly Container[];
  readonly containers: readonly Container[];
  readonly restartPolicy?: RestartPolicy;
  readonly terminationGracePeriodSeconds?: number;
  readonly volumes?: readonly Volume[];
  readonly nodeName?: string;
  readonly serviceAccountName?: string;
  /** Service environment variables for the Services of the pod's namespace (default true). */
  readonly enableServiceLinks?: boolean;
  /** `process` or `oci` picks the runtime (RuntimeClass objects are not served); unset: the agent's --runtime. */
  readonly runtimeClassName?: string;
}

export interface ContainerStateWaiting {
  readonly reason: string;
  readonly message?: string;
}

export interface ContainerStateRunning {
  readonly startedAt: string;
}

export interface ContainerStateTerminated {
  readonly exitCode: number;
  readonly signal?: number;
  readonly reason: string;
  readonly message?: string;
  readonly startedAt?: string;
  readonly finishedAt: string;
  readonly containerID?: string;
}

/** Exactly one member is set, as in Kubernetes; an empty object means "no state" (lastState). */
export interface ContainerState {
  readonly waiting?: ContainerStateWaiting;
  readonly running?: ContainerStateRunning;
  readonly terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  readonly name: string;
  readonly state: ContainerState;
  readonly lastState: ContainerState;
  readonly ready: boolean;
  readonly started: boolean;
  readonly restartCount: number;
  readonly image: string;
  readonly imageID: string;
  readonly containerID?: string;
  /** The requests and limits the runtime enforces on the running container (cgroups). */
  readonly resources?: ResourceRequirements;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export type PodConditionType = 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready';

export interface PodCondition {
  readonly type: PodConditionType;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime: string;
}

export interface PodStatus {
  readonly phase: PodPhase;
  readonly conditions: readonly PodCondition[];
  readonly hostIP: string;
  readonly podIP: string;
  readonly hostIPs: readonly { readonly ip: string }[];
  readonly podIPs: readonly { readonly ip: string }[];
  readonly startTime?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly initContainerStatuses: readonly ContainerStatus[];
  readonly containerStatuses: readonly ContainerStatus[];
}

export interface Pod {
  readonly metadata: ObjectMeta;
  readonly spec: PodSpec;
  readonly status?: PodStatus;
}

/** ConfigMap and Secret contents as the agent needs them: decoded key → value. */
export type ConfigData = Readonly<Record<string, string>>;
