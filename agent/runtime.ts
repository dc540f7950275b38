import type { Readable, Writable } from 'node:stream';
import type { Protocol, ResourceRequirements } from './pod-types.ts';

/**
 * The container runtime port: what a pod worker needs from whatever runs containers (the process
 * runtime today, an OCI runtime later). Containers are identified by pod UID + container name;
 * `instance` counts restarts of that container, so at most one instance of a container runs.
 */

/** A declared containerPort and the host port it was given. Endpoints record hostIP:hostPort. */
export interface PortMapping {
  readonly name?: string;
  readonly containerPort: number;
  readonly hostPort: number;
  readonly protocol: Protocol;
}

/** A volume already materialised on the host, to be made visible at `mountPath`. */
export interface ResolvedMount {
  readonly volumeName: string;
  readonly mountPath: string;
  readonly hostPath: string;
  readonly readOnly: boolean;
}

export interface StartContainerRequest {
  readonly podUid: string;
  readonly podName: string;
  readonly podNamespace: string;
  readonly containerName: string;
  /** The restart count this instance will carry (0 for the first run). */
  readonly instance: number;
  /**
   * The full argv as written; the runtime `$(VAR)`-expands it against the final environment, which
   * (beyond kubelet's) includes the PORT and FLOTILLA_* variables it assigns.
   */
  readonly argv: readonly string[];
  /** The resolved container environment (env/envFrom); the runtime adds ports and volumes. */
  readonly env: ReadonlyMap<string, string>;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number; readonly protocol?: Protocol }[];
  readonly mounts: readonly ResolvedMount[];
  readonly workingDir?: string;
  /** The image (the OCI runtime runs it; the process runtime ignores it). */
  readonly image?: string;
  readonly imagePullPolicy?: string;
  /**
   * The spec's command and args apart (an image's entrypoint and cmd fill in what they leave
   * out, as Kubernetes does); `argv` is their concatenation, for the process runtime.
   */
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  /** The pod's runtimeClassName: `process` or `oci`; unset means the agent's --runtime. */
  readonly runtimeClassName?: string;
  /** cpu/memory requests and limits, enforced with cgroups where the host allows (root). */
  readonly resources?: ResourceRequirements;
}

export interface ExitInfo {
  /** 128 + signal number when the process died of a signal, as container runtimes report. */
  readonly exitCode: number;
  readonly signal?: string;
  readonly finishedAtMs: number;
  /**
   * Kubernetes' terminated reasons: Completed (0), Error, OOMKilled (the kernel's OOM killer
   * struck in the container's cgroup), or ContainerStatusUnknown if lost.
   */
  readonly reason: 'Completed' | 'Error' | 'OOMKilled' | 'ContainerStatusUnknown';
}

export interface RuntimeContainer {
  /** `<podUid>/<containerName>/<instance>`, reported as containerID `process://<id>`. */
  readonly id: string;
  readonly podUid: string;
  readonly containerName: string;
  readonly instance: number;
  readonly pid: number;
  readonly startedAtMs: number;
  readonly ports: readonly PortMapping[];
  /** Set once the process has exited. */
  readonly exit?: ExitInfo;
  /** True when this agent did not start it but re-adopted it after a restart. */
  readonly adopted: boolean;
  /** Which runtime runs it (containerID `<runtimeName>://<id>`); process when unset. */
  readonly runtimeName?: 'process' | 'oci';
  /** The image's id (`sha256:…`), for ContainerStatus.imageID. */
  readonly imageID?: string;
  /** The requests and limits its cgroup enforces (ContainerStatus.resources); unset when none are. */
  readonly resources?: ResourceRequirements;
}

export interface ExecOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export interface LogOptions {
  /** The previous instance's log (`kubectl logs --previous`). */
  readonly previous?: boolean;
  /** Only the last N lines. */
  readonly tailLines?: number;
  /** Keep yielding new lines until the instance exits or `signal` aborts. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
}

export interface ExecStreamOptions {
  /** Give the command stdin (`kubectl exec -i`). */
  readonly stdin: boolean;
  /** A terminal (`kubectl exec -t`): stdout and stderr are one stream. */
  readonly tty: boolean;
}

/** A command running in a container's context, with its streams (`kubectl exec`). */
export interface ExecProcess {
  readonly stdout: Readable;
  /** Empty with a tty (the terminal merges it into stdout). */
  readonly stderr: Readable;
  /** Null without `stdin`. */
  readonly stdin: Writable | null;
  /** The exit code (128 + signal when killed; 126/127 when it could not start, as a shell says). */
  readonly exited: Promise<number>;
  /** Kills the command and everything it started. */
  kill(): void;
}

export type ExitListener = (container: RuntimeContainer) => void;

export interface Runtime {
  /** Starts an instance; rejects with AGENT_CONTAINER_ALREADY_RUNNING if one is running. */
  start(request: StartContainerRequest): Promise<RuntimeContainer>;
  /** SIGTERM to the whole container, up to `gracePeriodMs` to exit, then SIGKILL. */
  stop(id: string, gracePeriodMs: number): Promise<ExitInfo>;
  status(id: string): RuntimeContainer | undefined;
  /** Every known instance (running, or exited and not yet removed), optionally of one pod. */
  list(podUid?: string): RuntimeContainer[];
  onExit(listener: ExitListener): () => void;
  /** Runs a command in the container's context (its directory and environment). */
  exec(id: string, command: readonly string[], options: ExecOptions): Promise<ExecResult>;
  /** Like exec, with live streams: for `kubectl exec`. */
  execStream(id: string, command: readonly string[], options: ExecStreamOptions): ExecProcess;
  logs(podUid: string, containerName: string, options?: LogOptions): AsyncIterable<string>;
  /** Re-adopts containers recorded on disk by an earlier agent; running ones are not restarted. */
  recover(): Promise<RuntimeContainer[]>;
  /** The host directory of a pod (volumes live under it). */
  podDirectory(podUid: string): string;
  /** Forgets a pod and deletes its directory; its containers must have exited. */
  removePod(podUid: string): Promise<void>;
  /** Stops watching (containers keep running, to be re-adopted). */
  close(): Promise<void>;
}

export function containerId(podUid: string, containerName: string, instance: number): string {
  return `${podUid}/${containerName}/${instance}`;
}
