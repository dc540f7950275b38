import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Env, type Logger, type TimerHandle } from '../common/index.ts';
import { buildProcessEnv } from './container-env.ts';
import { expandCommand } from './env.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import { readLogLines } from './log-reader.ts';
import { LogLimits, pruneOldInstances, rotateIfNeeded, type LogRotationLimits } from './log-rotation.ts';
import { containedPath, linkMounts } from './mount-links.ts';
import { isSameProcessAlive, readProcessStat } from './proc-stat.ts';
import { execInContext, exitCodeForSignal, killQuietly } from './process-exec.ts';
import { execStreamInContext } from './process-exec-stream.ts';
import { ProcessLayout } from './process-layout.ts';
import { readExitFile, readStateFile, stateFileVersion, writeStateFile, type ContainerStateFile } from './process-state-file.ts';
import { PortAllocator } from './port-allocator.ts';
import { spawnWrapped } from './process-spawn.ts';

import {
  containerId, type ExecOptions, type ExecProcess, type ExecResult, type ExecStreamOptions, type ExitInfo, type ExitListener, type LogOptions, type PortMapping,
  type Runtime, type RuntimeContainer, type StartContainerRequest,
} from './runtime.ts';
import { sleep, withTimeout } from './wait.ts';

export const ProcessRuntimeLimits = {
  /** Containers (running or remembered) one agent tracks. */
  containersMax: 2000,
  /** After SIGKILL, how long to wait for the exit to be observed before reporting it anyway. */
  killWaitMs: 10_000,
  /** How often re-adopted processes (not our children, so no exit event) are checked. */
  adoptedPollMs: 500,
  /** How often a followed log is looked at. */
  followPollMs: 250,
} as const;

export interface ProcessRuntimeOptions {
  readonly rootDirectory: string;
  readonly env: Env;
  readonly logger?: Logger;
  /** PATH given to containers (there is no image); defaults to the agent's PATH. */
  readonly containerPath?: string;
  readonly logLimits?: LogRotationLimits;
  readonly logCheckIntervalMs?: number;
  readonly adoptedPollMs?: number;
  readonly followPollMs?: number;
  /** Address host ports are checked on; 0.0.0.0 so a port free on loopback but taken on the LAN is not handed out. */
  readonly bindHost?: string;
}

interface Entry {
  container: RuntimeContainer;
  readonly record: ContainerStateFile;
  readonly logFile: string;
  readonly exitFile: string;
  child: ChildProcess | undefined;
  readonly exited: Promise<ExitInfo>;
  readonly resolveExited: (exit: ExitInfo) => void;
  sigkilled: boolean;
}

/**
 * The process runtime: a container is its command run on the host, in its own directory under the
 * pod's, in its own process group (so stop and cleanup reach everything it started), with stdout and
 * stderr appended to a size-rotated log file. See agent/README.md for what is not isolated.
 */
export class ProcessRuntime implements Runtime {
  private readonly layout: ProcessLayout;
  private readonly logger: Logger;
  private readonly ports: PortAllocator;
  private readonly logLimits: LogRotationLimits;
  /** Latest instance per `<podUid>/<containerName>`. */
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<ExitListener>();
  private readonly timers: TimerHandle[] = [];
  private rotating = false;
  private polling = false;
  private closed = false;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.layout = new ProcessLayout(options.rootDirectory);
    this.logger = options.logger ?? silentLogger;
    this.ports = new PortAllocator(options.bindHost);
    this.logLimits = options.logLimits ?? LogLimits;
    const timers = options.env.timers;
    this.timers.push(timers.setInterval(() => void this.rotateLogs(), options.logCheckIntervalMs ?? LogLimits.checkIntervalMs));
    this.timers.push(timers.setInterval(() => void this.pollAdopted(), options.adoptedPollMs ?? ProcessRuntimeLimits.adoptedPollMs));
  }

  podDirectory(podUid: string): string {
    return this.layout.podDirectory(podUid);
  }

  onExit(listener: ExitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(id: string): RuntimeContainer | undefined {
    const entry = this.entryById(id);
    return entry?.container;
  }

  list(podUid?: string): RuntimeContainer[] {
    return [...this.entries.values()].map((entry) => entry.container).filter((container) => podUid === undefined || container.podUid === podUid);
  }

  async start(request: StartContainerRequest): Promise<RuntimeContainer> {
    if (this.closed) throw new AgentError(AgentErrorCode.runtimeClosed, 'runtime is closed');
    const key = entryKey(request.podUid, request.containerName);
    const current = this.entries.get(key);
    if (current !== undefined && current.container.exit === undefined) {
      throw new AgentError(AgentErrorCode.containerAlreadyRunning, `container ${key} is already running (instance ${current.container.instance})`);
    }
    if (current === undefined && this.entries.size >= ProcessRuntimeLimits.containersMax) {
      throw new AgentError(AgentErrorCode.startFailed, `agent tracks ${ProcessRuntimeLimits.containersMax} containers already`);
    }
    // Reserve the slot before any await, so a concurrent start of the same container is refused.
    this.entries.set(key, this.placeholder(request));
    try {
      const ports = await this.ports.allocate(request.ports, current?.container.ports ?? []);
      const entry = await this.spawnContainer(request, ports);
      this.entries.set(key, entry);
      return entry.container;
    } catch (error) {
      if (current === undefined) this.entries.delete(key);
      else this.entries.set(key, current);
      throw error instanceof AgentError ? error : new AgentError(AgentErrorCode.startFailed, `starting ${key}: ${String(error)}`, { cause: error });
    }
  }

  private placeholder(request: StartContainerRequest): Entry {
    const container: RuntimeContainer = {
      id: containerId(request.podUid, request.containerName, request.instance), podUid: request.podUid, containerName: request.containerName,
      instance: request.instance, pid: 0, startedAtMs: this.options.env.clock.nowMs(), ports: [], adopted: false,
    };
    return makeEntry(container, emptyRecord(container), '', '');
  }

  private async spawnContainer(request: StartContainerRequest, ports: PortMapping[]): Promise<Entry> {
    const { podUid, containerName, instance } = request;
    const root = this.layout.containerRoot(podUid, containerName);
    const logFile = this.layout.logFile(podUid, containerName, instance);
    const exitFile = this.layout.exitFile(podUid, containerName, instance);
    await mkdir(root, { recursive: true });
    await mkdir(this.layout.logDirectory(podUid, containerName), { recursive: true });
    await rm(exitFile, { force: true });
    const skipped = await linkMounts(root, request.mounts);
    if (skipped.length > 0) this.logger.warn({ podUid, containerName, mounts: skipped.map((mount) => mount.mountPath) }, 'mount paths not linkable; use FLOTILLA_VOLUME_*');
    const env = buildProcessEnv({ podName: request.podName, containerRoot: root, hostPath: this.options.containerPath ?? process.env['PATH'], resolved: request.env, ports, mounts: request.mounts });
    const cwd = await this.workingDirectory(root, request.workingDir);
    const argv = expandCommand(request.argv, new Map(Object.entries(env)));
    const { child, exited } = await spawnWrapped(argv, exitFile, logFile, cwd, env).catch((error: unknown) => {
      this.ports.release(ports);
      throw error;
    });
    const pid = child.pid ?? 0;
    const startTicks = (await readProcessStat(pid))?.startTicks ?? '';
    const startedAtMs = this.options.env.clock.nowMs();
    const container: RuntimeContainer = { id: containerId(podUid, containerName, instance), podUid, containerName, instance, pid, startedAtMs, ports, adopted: false };
    const record: ContainerStateFile = { version: stateFileVersion, podUid, containerName, instance, pid, startTicks, startedAtMs, ports, env, cwd };
    const entry = makeEntry(container, record, logFile, exitFile);
    entry.child = child;
    void exited.then(({ code, signal }) => this.onChildExit(entry, code, signal));
    await writeStateFile(this.layout.stateFile(podUid, containerName), record);
    await pruneOldInstances(logFile, instance);
    this.logger.info({ podUid, containerName, instance, pid, ports }, 'container started');
    return entry;
  }

  private async workingDirectory(root: string, workingDir: string | undefined): Promise<string> {
    if (workingDir === undefined) return root;
    const relative = containedPath(workingDir);
    const directory = relative === undefined ? root : join(root, relative);
    await mkdir(directory, { recursive: true });
    return directory;
  }

  private async onChildExit(entry: Entry, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const written = await readExitFile(entry.exitFile);
    const exitCode = entry.sigkilled && written === undefined ? 137 : (written?.exitCode ?? code ?? exitCodeForSignal(signal));
    await this.finishExit(entry, {
      exitCode,
      ...(signal === null ? {} : { signal }),
      finishedAtMs: this.options.env.clock.nowMs(),
      reason: exitCode === 0 ? 'Completed' : 'Error',
    }, true);
  }

  /** Records an exit once: persists it, cleans up the group, frees ports, tells listeners. */
  private async finishExit(entry: Entry, exit: ExitInfo, killGroup: boolean): Promise<void> {
    if (entry.container.exit !== undefined) return;
    entry.container = { ...entry.container, exit };
    entry.child = undefined;
    // Anything the container left running in its group goes with it (kubelet kills the cgroup).
    // Only when the pid cannot have been reused: a live pgid keeps its number reserved.
    if (killGroup && entry.container.pid > 1) killQuietly(-entry.container.pid, 'SIGKILL');
    this.ports.release(entry.container.ports);
    const key = entryKey(entry.container.podUid, entry.container.containerName);
    if (this.entries.get(key) === entry) {
      await writeStateFile(this.layout.stateFile(entry.container.podUid, entry.container.containerName), { ...entry.record, exit }).catch((error: unknown) => {
        this.logger.error({ err: error, id: entry.container.id }, 'could not persist container exit');
      });
    }
    this.logger.info({ id: entry.container.id, exitCode: exit.exitCode, reason: exit.reason }, 'container exited');
    entry.resolveExited(exit);
    for (const listener of this.listeners) listener(entry.container);
  }

  async stop(id: string, gracePeriodMs: number): Promise<ExitInfo> {
    const entry = this.entryById(id);
    if (entry === undefined) throw new AgentError(AgentErrorCode.containerNotFound, `no container ${id}`);
    if (entry.container.exit !== undefined) return entry.container.exit;
    const pid = entry.container.pid;
    if (pid <= 1) throw new AgentError(AgentErrorCode.containerNotFound, `container ${id} is still starting`);
    killQuietly(-pid, 'SIGTERM');
    const graceful = await withTimeout(this.options.env.timers, entry.exited, gracePeriodMs);
    if (graceful !== undefined) return graceful;
    entry.sigkilled = true;
    killQuietly(-pid, 'SIGKILL');
    const killed = await withTimeout(this.options.env.timers, entry.exited, ProcessRuntimeLimits.killWaitMs);
    if (killed !== undefined) return killed;
    this.logger.error({ id, pid }, 'container did not exit after SIGKILL; reporting it exited');
    await this.finishExit(entry, { exitCode: 137, signal: 'SIGKILL', finishedAtMs: this.options.env.clock.nowMs(), reason: 'Error' }, false);
    return entry.container.exit ?? { exitCode: 137, finishedAtMs: this.options.env.clock.nowMs(), reason: 'Error' };
  }

  async exec(id: string, command: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const entry = this.entryById(id);
    if (entry === undefined) throw new AgentError(AgentErrorCode.containerNotFound, `no container ${id}`);
    return await execInContext(command, { cwd: entry.record.cwd, env: entry.record.env, timers: this.options.env.timers }, options.timeoutMs, options.signal);
  }

  execStream(id: string, command: readonly string[], options: ExecStreamOptions): ExecProcess {
    const entry = this.entryById(id);
    if (entry === undefined || entry.container.exit !== undefined) throw new AgentError(AgentErrorCode.containerNotFound, `no running container ${id}`);
    return execStreamInContext(command, { cwd: entry.record.cwd, env: entry.record.env }, options);
  }

  logs(podUid: string, containerName: string, options: LogOptions = {}): AsyncIterable<string> {
    const entry = this.entries.get(entryKey(podUid, containerName));
    const latest = entry?.container.instance;
    if (latest === undefined || (options.previous === true && latest === 0)) {
      throw new AgentError(AgentErrorCode.containerNotFound, `no ${options.previous === true ? 'previous ' : ''}log for ${podUid}/${containerName}`);
    }
    const instance = options.previous === true ? latest - 1 : latest;
    const timers = this.options.env.timers;
    return readLogLines(this.layout.logFile(podUid, containerName, instance), {
      filesMax: this.logLimits.filesMax,
      ...(options.tailLines === undefined ? {} : { tailLines: options.tailLines }),
      ...(options.follow === undefined ? {} : { follow: options.follow }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      pollMs: this.options.followPollMs ?? ProcessRuntimeLimits.followPollMs,
      isFinished: () => {
        const now = this.entries.get(entryKey(podUid, containerName));
        return options.previous === true || now === undefined || now.container.instance !== instance || now.container.exit !== undefined;
      },
      sleep: (ms, signal) => sleep(timers, ms, signal),
    });
  }

  /**
   * Re-adopts what an earlier agent left: a recorded process that is still the same process (pid
   * and start time match) is watched, not restarted; one that is gone is reported exited with the
   * code its wrapper wrote, or as ContainerStatusUnknown when it never got to.
   */
  async recover(): Promise<RuntimeContainer[]> {
    const recovered: RuntimeContainer[] = [];
    for (const stateFile of await this.stateFiles()) {
      const record = await readStateFile(stateFile);
      if (record === undefined) continue;
      const key = entryKey(record.podUid, record.containerName);
      if (this.entries.has(key) || this.entries.size >= ProcessRuntimeLimits.containersMax) continue;
      const entry = await this.adopt(record);
      this.entries.set(key, entry);
      recovered.push(entry.container);
    }
    return recovered;
  }

  private async adopt(record: ContainerStateFile): Promise<Entry> {
    const { podUid, containerName, instance } = record;
    const container: RuntimeContainer = { id: containerId(podUid, containerName, instance), podUid, containerName, instance, pid: record.pid, startedAtMs: record.startedAtMs, ports: record.ports, adopted: true };
    const entry = makeEntry(container, record, this.layout.logFile(podUid, containerName, instance), this.layout.exitFile(podUid, containerName, instance));
    if (record.exit !== undefined) {
      entry.container = { ...container, exit: record.exit };
      entry.resolveExited(record.exit);
    } else if (await isSameProcessAlive(record)) {
      this.ports.reserve(record.ports);
      this.logger.info({ id: container.id, pid: record.pid }, 're-adopted running container');
    } else {
      await this.finishExit(entry, await this.lostExit(entry), (await readProcessStat(record.pid)) === undefined);
    }
    return entry;
  }

  private async lostExit(entry: Entry): Promise<ExitInfo> {
    const written = await readExitFile(entry.exitFile);
    if (written !== undefined) {
      return { exitCode: written.exitCode, finishedAtMs: written.writtenAtMs, reason: written.exitCode === 0 ? 'Completed' : 'Error' };
    }
    const killed = entry.sigkilled;
    return { exitCode: 137, finishedAtMs: this.options.env.clock.nowMs(), reason: killed ? 'Error' : 'ContainerStatusUnknown' };
  }

  private async pollAdopted(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      for (const entry of [...this.entries.values()]) {
        if (entry.container.adopted && entry.container.exit === undefined && !(await isSameProcessAlive(entry.record))) {
          const exit = await this.lostExit(entry);
          const pidUnused = (await readProcessStat(entry.record.pid)) === undefined;
          await this.finishExit(entry, exit.reason === 'ContainerStatusUnknown' ? { ...exit, reason: 'Error' } : exit, pidUnused);
        }
      }
    } finally {
      this.polling = false;
    }
  }

  private async rotateLogs(): Promise<void> {
    if (this.rotating || this.closed) return;
    this.rotating = true;
    try {
      for (const entry of [...this.entries.values()]) {
        if (entry.container.exit === undefined && entry.logFile !== '') {
          await rotateIfNeeded(entry.logFile, this.logLimits).catch((error: unknown) => this.logger.warn({ err: error, id: entry.container.id }, 'log rotation failed'));
        }
      }
    } finally {
      this.rotating = false;
    }
  }

  async removePod(podUid: string): Promise<void> {
    const containers = this.list(podUid);
    const running = containers.find((container) => container.exit === undefined);
    if (running !== undefined) throw new AgentError(AgentErrorCode.containerAlreadyRunning, `pod ${podUid} still has ${running.id} running`);
    for (const container of containers) this.entries.delete(entryKey(podUid, container.containerName));
    await rm(this.layout.podDirectory(podUid), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) timer.cancel();
    // Containers outlive the agent on purpose: the next agent re-adopts them.
    for (const entry of this.entries.values()) entry.child?.unref();
  }

  private entryById(id: string): Entry | undefined {
    const [podUid, containerName] = id.split('/');
    const entry = this.entries.get(entryKey(podUid ?? '', containerName ?? ''));
    return entry?.container.id === id ? entry : undefined;
  }

  private async stateFiles(): Promise<string[]> {
    const files: string[] = [];
    const pods = await readdir(this.layout.podsDirectory()).catch(() => []);
    for (const podUid of pods) {
      const containersDirectory = join(this.layout.podDirectory(podUid), 'containers');
      for (const name of await readdir(containersDirectory).catch(() => [])) files.push(join(containersDirectory, name, 'state.json'));
    }
    return files;
  }
}

function entryKey(podUid: string, containerName: string): string {
  return `${podUid}/${containerName}`;
}

function emptyRecord(container: RuntimeContainer): ContainerStateFile {
  return { version: stateFileVersion, podUid: container.podUid, containerName: container.containerName, instance: container.instance, pid: 0, startTicks: '', startedAtMs: container.startedAtMs, ports: [], env: {}, cwd: '' };
}

function makeEntry(container: RuntimeContainer, record: ContainerStateFile, logFile: string, exitFile: string): Entry {
  let resolveExited: (exit: ExitInfo) => void = () => undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    resolveExited = resolve;
  });
  return { container, record, logFile, exitFile, child: undefined, exited, resolveExited, sigkilled: false };
}
