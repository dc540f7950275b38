import type { ChildProcess } from 'node:child_process';
import type { ContainerStateFile } from './process-state-file.ts';
import type { ExitInfo, PortMapping, StartContainerRequest } from './runtime.ts';

/** Where one instance's files go (from ProcessLayout). */
export interface LaunchPaths {
  readonly containerDirectory: string;
  readonly containerRoot: string;
  readonly logFile: string;
  readonly exitFile: string;
}

/** What a launcher persists beyond the common record (see ContainerStateFile). */
export type LaunchDetails = Pick<ContainerStateFile, 'cgroups' | 'mountNamespace' | 'containerPid' | 'resources' | 'imageID' | 'oci'>;

export interface Launched {
  /** The wrapper: its pid and start time identify the container across agent restarts. */
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** For exec and probes (the process runtime runs them with the container's environment). */
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly details: LaunchDetails;
}

/** A command to run in a container's context (probes, hooks, `kubectl exec`). */
export interface ExecTarget {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * How containers are started, signalled, entered and cleaned up: the part that differs between
 * the process runtime (a command on the host) and the OCI runtime (an image through crun/runc).
 * Both run under the same wrapper shell, so everything else — state files, re-adoption, exit
 * codes that survive the agent, logs, ports, never two copies — is shared (SupervisedRuntime).
 */
export interface ContainerLauncher {
  readonly runtimeName: 'process' | 'oci';
  launch(request: StartContainerRequest, ports: readonly PortMapping[], paths: LaunchPaths): Promise<Launched>;
  /** SIGTERM: the graceful request; SIGKILL: the end of everything in the container. */
  signal(record: ContainerStateFile, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  execTarget(record: ContainerStateFile, command: readonly string[]): ExecTarget;
  /**
   * After the instance's end was observed: kills what it left behind (`pidUnused`: its wrapper's
   * pid is free, so its process group may be signalled without hitting a stranger), reads the OOM
   * counter, releases its cgroup and root filesystem. Returns the exit as it is to be reported.
   */
  finish(record: ContainerStateFile, exit: ExitInfo, pidUnused: boolean): Promise<ExitInfo>;
  /** Before a pod's directory is deleted (e.g. unmounts what is still mounted under it). */
  removePod(podUid: string, podDirectory: string): Promise<void>;
}
