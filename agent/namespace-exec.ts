/**
 * Joins the cgroups given as arguments (count, then cgroup.procs files), then execs the command:
 * an exec'd command (probe, hook, `kubectl exec`) counts against the container's limits, as in
 * Kubernetes.
 */
export const joinCgroupsScript = 'n=$1; shift; while [ "$n" -gt 0 ]; do printf "%s\\n" "$$" > "$1" || exit 126; shift; n=$((n-1)); done; exec "$@"';

export interface ContainerContext {
  /** util-linux nsenter, when the container has its own mount namespace. */
  readonly nsenter?: string;
  /** A process inside the container's mount namespace (its wrapper). */
  readonly namespacePid: number;
  readonly cwd: string;
  readonly cgroupProcsFiles: readonly string[];
}

/** The argv that runs `command` inside a root-mode container's mount namespace and cgroups (pure). */
export function commandInContainer(command: readonly string[], context: ContainerContext): string[] {
  const joined = context.cgroupProcsFiles.length === 0 ? [...command] : ['/bin/sh', '-c', joinCgroupsScript, 'flotilla-exec', String(context.cgroupProcsFiles.length), ...context.cgroupProcsFiles, ...command];
  if (context.nsenter === undefined) return joined;
  return [context.nsenter, `--mount=/proc/${context.namespacePid}/ns/mnt`, `--wd=${context.cwd}`, '--', ...joined];
}
