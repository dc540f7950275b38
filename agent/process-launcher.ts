import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, Timers } from '../common/index.ts';
import { prepareBindMounts, type BindMount } from './bind-mounts.ts';
import { limitsFor } from './cgroup-limits.ts';
import { buildProcessEnv } from './container-env.ts';
import { createContainerCgroup, delegateV2Controllers, killCgroupProcesses, procsFiles, readOomKills, removeContainerCgroup } from './container-cgroup.ts';
import type { ContainerLauncher, ExecTarget, LaunchDetails, Launched, LaunchPaths } from './container-launcher.ts';
import { expandCommand } from './env.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import type { HostIsolation } from './host-isolation.ts';
import { containedPath, linkMounts } from './mount-links.ts';
import { commandInContainer } from './namespace-exec.ts';
import { killQuietly } from './process-exec.ts';
import { spawnWrapped } from './process-spawn.ts';
import type { ContainerStateFile } from './process-state-file.ts';
import type { ExitInfo, PortMapping, StartContainerRequest } from './runtime.ts';

export interface ProcessLauncherOptions {
  readonly rootDirectory: string;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly isolation: HostIsolation;
  /** PATH given to containers (there is no image); defaults to the agent's PATH. */
  readonly containerPath?: string;
}

/**
 * The process runtime's launcher: the container is its command run on the host in its own process
 * group. In root mode (HostIsolation) it also gets its own mount namespace with its volumes
 * bind-mounted at their mountPath, and its own cgroup with its cpu/memory limits; otherwise the
 * volumes are symlinked under its directory (agent/README.md, "Volumes without root").
 */
export class ProcessLauncher implements ContainerLauncher {
  readonly runtimeName = 'process' as const;

  constructor(private readonly options: ProcessLauncherOptions) {}

  async launch(request: StartContainerRequest, ports: readonly PortMapping[], paths: LaunchPaths): Promise<Launched> {
    const root = paths.containerRoot;
    await mkdir(root, { recursive: true });
    const namespace = this.options.isolation.mountNamespace;
    const binds: BindMount[] = namespace === false ? [] : await prepareBindMounts(request.mounts, this.options.rootDirectory);
    // The fallback's symlinks under the container's directory stay in root mode (programs that
    // use relative paths work in both modes), pointing at the mountPath: through the bind mount,
    // so readOnly holds for them too.
    const links = namespace === false ? request.mounts : request.mounts.map((mount, index) => ({ ...mount, hostPath: binds[index]?.target ?? mount.hostPath }));
    const skipped = await linkMounts(root, links);
    if (skipped.length > 0) this.options.logger.warn({ podUid: request.podUid, containerName: request.containerName, mounts: skipped.map((mount) => mount.mountPath) }, 'mount paths not linkable; use FLOTILLA_VOLUME_*');
    const env = buildProcessEnv({ podName: request.podName, containerRoot: root, hostPath: this.options.containerPath ?? process.env['PATH'], resolved: request.env, ports, mounts: request.mounts });
    const cwd = await workingDirectory(root, request.workingDir);
    const argv = expandCommand(request.argv, new Map(Object.entries(env)));
    if (argv.length === 0) throw new AgentError(AgentErrorCode.containerConfig, 'the process runtime needs a command (there is no image entrypoint)');
    const cgroup = await createLimitedCgroup(this.options.isolation, request, this.options.logger);
    try {
      const { child, exited } = await spawnWrapped(argv, paths.exitFile, paths.logFile, cwd, env, this.options.timers, {
        cgroupProcsFiles: procsFiles(cgroup?.directories ?? []),
        binds,
        ...(namespace === false ? {} : { unshare: namespace.unshare, mount: namespace.mount }),
      });
      const details: LaunchDetails = {
        ...(namespace === false ? {} : { mountNamespace: true }),
        ...(cgroup === undefined ? {} : { cgroups: cgroup.directories, resources: cgroup.enforced }),
      };
      return { child, exited, env, cwd, details };
    } catch (error) {
      if (cgroup !== undefined) await removeContainerCgroup(cgroup.directories, this.options.timers);
      throw error;
    }
  }

  async signal(record: ContainerStateFile, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    killQuietly(-record.pid, signal);
  }

  execTarget(record: ContainerStateFile, command: readonly string[]): ExecTarget {
    const namespace = this.options.isolation.mountNamespace;
    const nsenter = record.mountNamespace === true && namespace !== false ? namespace.nsenter : undefined;
    const wrapped = commandInContainer(command, { ...(nsenter === undefined ? {} : { nsenter }), namespacePid: record.pid, cwd: record.cwd, cgroupProcsFiles: procsFiles(record.cgroups ?? []) });
    return { command: wrapped, cwd: record.cwd, env: record.env };
  }

  async finish(record: ContainerStateFile, exit: ExitInfo, pidUnused: boolean): Promise<ExitInfo> {
    // Anything the container left running in its group goes with it (kubelet kills the cgroup).
    // Only when the pid cannot have been reused: a live pgid keeps its number reserved.
    if (pidUnused) killQuietly(-record.pid, 'SIGKILL');
    return await finishCgroup(record, exit, this.options.timers);
  }

  async removePod(): Promise<void> {
    // Nothing is mounted on the host: binds live in the containers' own mount namespaces.
  }
}

/** Creates an instance's cgroup with the request's limits; logs and returns undefined when the host cannot. */
export async function createLimitedCgroup(isolation: HostIsolation, request: StartContainerRequest, logger: Logger): Promise<{ directories: string[]; enforced: NonNullable<LaunchDetails['resources']> } | undefined> {
  const driver = isolation.cgroups;
  if (driver === undefined) return undefined;
  const limits = limitsFor(request.resources);
  try {
    await delegateV2Controllers(driver, request.podUid);
    const directories = await createContainerCgroup(driver, request.podUid, request.containerName, request.instance, limits);
    return { directories, enforced: limits.enforced };
  } catch (error) {
    logger.warn({ err: error, podUid: request.podUid, containerName: request.containerName }, 'could not create the container\'s cgroup: its cpu/memory limits are not enforced');
    return undefined;
  }
}

/** Kills what is left in the cgroup, reads its OOM counter, removes it: an OOM kill makes a failed exit OOMKilled. */
export async function finishCgroup(record: ContainerStateFile, exit: ExitInfo, timers: Timers, nestedOomKills = 0): Promise<ExitInfo> {
  const directories = record.cgroups ?? [];
  if (directories.length === 0) return exit;
  await killCgroupProcesses(directories, timers);
  const oomKills = nestedOomKills + (await readOomKills(directories));
  await removeContainerCgroup(directories, timers);
  return oomKills > 0 && exit.exitCode !== 0 ? { ...exit, reason: 'OOMKilled' } : exit;
}

async function workingDirectory(root: string, workingDir: string | undefined): Promise<string> {
  if (workingDir === undefined) return root;
  const relative = containedPath(workingDir);
  const directory = relative === undefined ? root : join(root, relative);
  await mkdir(directory, { recursive: true });
  return directory;
}
