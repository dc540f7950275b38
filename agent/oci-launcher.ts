import { execFile } from 'node:child_process';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Logger, Timers } from '../common/index.ts';
import type { ContainerLauncher, ExecTarget, Launched, LaunchPaths } from './container-launcher.ts';
import { procsFiles, readOomKills, removeContainerCgroup } from './container-cgroup.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import type { HostIsolation } from './host-isolation.ts';
import { containedPath } from './mount-links.ts';
import { buildOciEnv, ociArgv } from './oci-env.ts';
import type { PodmanImageStore } from './oci-images.ts';
import { mountRootfs, removeBundle, unmountUnder } from './oci-rootfs.ts';
import { ociSpec, type OciMount } from './oci-spec.ts';
import { ociGlobalArgs, type OciTools } from './oci-tools.ts';
import { resolveImageUser } from './oci-user.ts';
import { killQuietly } from './process-exec.ts';
import { createLimitedCgroup, finishCgroup } from './process-launcher.ts';
import { spawnWrapped } from './process-spawn.ts';
import type { ContainerStateFile } from './process-state-file.ts';
import type { ExitInfo, PortMapping, StartContainerRequest } from './runtime.ts';
import { sleep } from './wait.ts';

const run = promisify(execFile);

export const OciLauncherLimits = {
  /** How long `crun/runc run` may take to start the container (write its pid file). */
  startTimeoutMs: 30_000,
  /** How often the pid file is looked for meanwhile. */
  pidPollMs: 20,
  /** A crun/runc kill, delete or exec setup that takes longer is failed. */
  commandTimeoutMs: 15_000,
  /** What of the log is read to say why a container did not start. */
  failureLogBytesMax: 2048,
} as const;

/** Host files a host-network container shares (kubelet gives hostNetwork pods the node's). */
const hostNetworkFiles = ['/etc/hosts', '/etc/resolv.conf'];

export interface OciLauncherOptions {
  readonly rootDirectory: string;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly isolation: HostIsolation;
  readonly tools: OciTools;
  readonly images: PodmanImageStore;
}

/**
 * The OCI runtime's launcher: an image from podman's local store, unpacked as an overlay root
 * filesystem per instance, run by crun (or runc) from a bundle whose config.json we write, in the
 * foreground under the same wrapper shell as process containers — so crun/runc is the container's
 * monitor and the wrapper records its exit code across agent restarts. Host network; the
 * container's cgroup is ours (limits, OOM counter), crun/runc's own nested under it.
 */
export class OciLauncher implements ContainerLauncher {
  readonly runtimeName = 'oci' as const;
  private readonly stateRoot: string;

  constructor(private readonly options: OciLauncherOptions) {
    this.stateRoot = join(options.rootDirectory, 'oci', 'state');
  }

  async launch(request: StartContainerRequest, ports: readonly PortMapping[], paths: LaunchPaths): Promise<Launched> {
    if (request.image === undefined || request.image.trim() === '') throw new AgentError(AgentErrorCode.containerConfig, 'the OCI runtime needs an image');
    const image = await this.options.images.resolve(request.image);
    await mkdir(this.stateRoot, { recursive: true });
    const id = ociContainerId(request);
    const bundle = join(paths.containerDirectory, `bundle-${request.instance}`);
    await this.discard(id, bundle);
    const rootfs = await mountRootfs(this.options.tools.mount, image.rootDirectory, bundle);
    let cgroup: Awaited<ReturnType<typeof createLimitedCgroup>> = undefined;
    try {
      const user = await resolveImageUser(image.config.user, rootfs);
      const env = buildOciEnv({ image: image.config, podName: request.podName, home: user.home, resolved: request.env, ports, mounts: request.mounts });
      const args = ociArgv(request, image.config, env);
      if (args.length === 0) throw new AgentError(AgentErrorCode.containerConfig, 'no command specified: the image has no ENTRYPOINT or CMD and the container no command');
      const spec = ociSpec({
        args, env, cwd: request.workingDir ?? (image.config.workingDir || '/'), user, hostname: request.podName, mounts: await this.mounts(request),
        ...(this.options.tools.kind === 'runc' ? { cgroupsPath: `flotilla-${id}` } : {}),
      });
      // It holds the container's environment, Secrets included.
      await writeFile(join(bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
      cgroup = await createLimitedCgroup(this.options.isolation, request, this.options.logger);
      const pidFile = join(bundle, 'container.pid');
      const runtimeEnv = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
      // runc keeps the stopped container (and its cgroup, with its OOM counter) until we delete it.
      const keep = this.options.tools.kind === 'runc' ? ['--keep'] : [];
      const argv = [this.options.tools.binary, ...this.globalArgs(), 'run', ...keep, '--bundle', bundle, '--pid-file', pidFile, id];
      const { child, exited } = await spawnWrapped(argv, paths.exitFile, paths.logFile, bundle, runtimeEnv, this.options.timers, { cgroupProcsFiles: procsFiles(cgroup?.directories ?? []), binds: [] });
      const containerPid = await this.waitForPid(pidFile, exited);
      if (containerPid === undefined) {
        await this.forceDelete(id);
        throw new AgentError(AgentErrorCode.startFailed, `${this.options.tools.kind} did not start the container: ${await logTail(paths.logFile)}`);
      }
      const stopSignal = image.config.stopSignal;
      return {
        child, exited, env: runtimeEnv, cwd: bundle,
        details: {
          oci: { id, binary: this.options.tools.binary, stateRoot: this.stateRoot, bundle, rootfs, ...(stopSignal === '' ? {} : { stopSignal }) },
          containerPid, imageID: image.id,
          ...(cgroup === undefined ? {} : { cgroups: cgroup.directories, resources: cgroup.enforced }),
        },
      };
    } catch (error) {
      await unmountUnder(this.options.tools.umount, bundle).catch(() => undefined);
      if (cgroup !== undefined) await removeContainerCgroup(cgroup.directories, this.options.timers);
      throw error;
    }
  }

  /** Volumes at their mountPath, and the host's /etc/hosts and /etc/resolv.conf (host network). */
  private async mounts(request: StartContainerRequest): Promise<OciMount[]> {
    const mounts: OciMount[] = [];
    for (const file of hostNetworkFiles) {
      if (await access(file).then(() => true, () => false)) mounts.push({ destination: file, source: file, readOnly: true });
    }
    for (const mount of request.mounts) {
      const inside = containedPath(mount.mountPath);
      if (inside === undefined) throw new AgentError(AgentErrorCode.containerConfig, `volumeMount ${mount.volumeName}: mountPath ${JSON.stringify(mount.mountPath)} must be an absolute path without ".." and not "/"`);
      mounts.push({ destination: `/${inside}`, source: mount.hostPath, readOnly: mount.readOnly });
    }
    return mounts;
  }

  /** A leftover of this instance (a start that failed half-way, a crash) is removed before it runs again. */
  private async discard(id: string, bundle: string): Promise<void> {
    await this.forceDelete(id);
    await removeBundle(this.options.tools.umount, bundle);
  }

  private async forceDelete(id: string): Promise<void> {
    await run(this.options.tools.binary, [...this.globalArgs(), 'delete', '--force', id], { timeout: OciLauncherLimits.commandTimeoutMs }).catch(() => undefined);
  }

  private async waitForPid(pidFile: string, exited: Promise<unknown>): Promise<number | undefined> {
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    for (let waitedMs = 0; waitedMs < OciLauncherLimits.startTimeoutMs; waitedMs += OciLauncherLimits.pidPollMs) {
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 1) return pid;
      if (gone) return undefined;
      await sleep(this.options.timers, OciLauncherLimits.pidPollMs);
    }
    return undefined;
  }

  async signal(record: ContainerStateFile, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const oci = record.oci;
    if (oci === undefined) return void killQuietly(-record.pid, signal);
    // The image's STOPSIGNAL is the graceful one (nginx: SIGQUIT), as Kubernetes sends it.
    const args = signal === 'SIGTERM' ? ['kill', oci.id, oci.stopSignal ?? 'SIGTERM'] : ['kill', '--all', oci.id, 'SIGKILL'];
    await run(oci.binary, [...this.globalArgs(oci.stateRoot), ...args], { timeout: OciLauncherLimits.commandTimeoutMs }).catch(() => {
      if (signal === 'SIGKILL' && record.containerPid !== undefined) killQuietly(record.containerPid, 'SIGKILL');
    });
  }

  execTarget(record: ContainerStateFile, command: readonly string[]): ExecTarget {
    const oci = record.oci;
    if (oci === undefined) return { command, cwd: record.cwd, env: record.env };
    return { command: [oci.binary, ...this.globalArgs(oci.stateRoot), 'exec', oci.id, ...command], cwd: record.cwd, env: record.env };
  }

  async finish(record: ContainerStateFile, exit: ExitInfo, pidUnused: boolean): Promise<ExitInfo> {
    // The wrapper's group is crun/runc itself; a monitor left behind by a lost wrapper goes too.
    if (pidUnused) killQuietly(-record.pid, 'SIGKILL');
    const oci = record.oci;
    let nestedOomKills = 0;
    if (oci !== undefined) {
      // runc's own cgroup sits under ours; on cgroup v1 the kernel counts an OOM kill only there.
      const memory = record.cgroups?.[0];
      if (this.options.tools.kind === 'runc' && memory !== undefined) nestedOomKills = await readOomKills([join(memory, `flotilla-${oci.id}`)]);
      await run(oci.binary, [...this.globalArgs(oci.stateRoot), 'delete', '--force', oci.id], { timeout: OciLauncherLimits.commandTimeoutMs }).catch(() => undefined);
      await unmountUnder(this.options.tools.umount, oci.rootfs).catch((error: unknown) => this.options.logger.warn({ err: error, rootfs: oci.rootfs }, 'could not unmount a container\'s root filesystem'));
    }
    return await finishCgroup(record, exit, this.options.timers, nestedOomKills);
  }

  async removePod(_podUid: string, podDirectory: string): Promise<void> {
    await unmountUnder(this.options.tools.umount, podDirectory);
  }

  private globalArgs(stateRoot = this.stateRoot): string[] {
    return ociGlobalArgs(this.options.tools, stateRoot);
  }
}

/** crun/runc's name for an instance: unique per pod, container and restart. */
export function ociContainerId(request: Pick<StartContainerRequest, 'podUid' | 'containerName' | 'instance'>): string {
  return `${request.podUid}-${request.containerName}-${request.instance}`;
}

/** The end of a log, where crun/runc wrote why it failed. */
async function logTail(logFile: string): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const tail = text.slice(-OciLauncherLimits.failureLogBytesMax).trim().split('\n').slice(-3).join(' ');
  return tail === '' ? 'no output' : tail;
}
