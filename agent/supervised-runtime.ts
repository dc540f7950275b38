import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Env, type Logger, type TimerHandle } from '../common/index.ts';
import type { ContainerLauncher } from './container-launcher.ts';
import { AgentError, AgentErrorCode } from './errors.ts';
import { readLogLines } from './log-reader.ts';
import { LogLimits, pruneOldInstances, rotateIfNeeded, type LogRotationLimits } from './log-rotation.ts';
import { isSameProcessAlive, readProcessStat } from './proc-stat.ts';
import { execInContext, exitCodeForSignal } from './process-exec.ts';
import { execStreamInContext } from './process-exec-stream.ts';
import { ProcessLayout } from './process-layout.ts';
import { readExitFile, readStateFile, stateFileVersion, writeStateFile, type ContainerStateFile } from './process-state-file.ts';
import { PortAllocator } from './port-allocator.ts';
import {
  containerId, type ExecOptions, type ExecProcess, type ExecResult, type ExecStreamOptions, type ExitInfo, type ExitListener, type LogOptions, type PortMapping,
  type Runtime, type RuntimeContainer, type StartContainerRequest,
} from './runtime.ts';
import { sleep, withTimeout } from './wait.ts';

export const SupervisedRuntimeLimits = {
  /** Containers (running or remembered) one agent tracks. */
  containersMax: 2000,
  /** After SIGKILL, how long to wait for the exit to be observed before reporting it anyway. */
  killWaitMs: 10_000,
  /** How often re-adopted processes (not our children, so no exit event) are checked. */
  adoptedPollMs: 500,
  /** How often a followed log is looked at. */
  followPollMs: 250,
} as const;

export interface SupervisedRuntimeOptions {
  readonly rootDirectory: string;
  readonly env: Env;
  readonly logger?: Logger;
  readonly logLimits?: LogRotationLimits;
  readonly logCheckIntervalMs?: number;
  readonly adoptedPollMs?: number;
  readonly followPollMs?: number;
  /** Address host ports are checked on; 0.0.0.0 so a port free on loopback but taken on the LAN is not handed out. */
  readonly bindHost?: string;
}

interface Entry {
  container: RuntimeContainer;
  record: ContainerStateFile;
  readonly logFile: string;
  readonly exitFile: string;
  child: ChildProcess | undefined;
  readonly exited: Promise<ExitInfo>;
  readonly resolveExited: (exit: ExitInfo) => void;
  sigkilled: boolean;
  /** The exit is being cleaned up (the launcher's finish is running): it is reported once. */
  finishing: boolean;
}

/**
 * A runtime whose containers run under the wrapper shell (process-spawn.ts), started by a
 * launcher: the process runtime's and the OCI runtime's shared machinery. Each container is
 * recorded in a state file (its wrapper's pid and start time), its exit code is written by the
 * wrapper (so it survives the agent), its output goes to a size-rotated log file, its ports are
 * allocated on the host, and a container whose previous instance runs is never started again.
 */
export class SupervisedRuntime implements Runtime {
  protected readonly layout: ProcessLayout;
  protected readonly logger: Logger;
  private readonly ports: PortAllocator;
  private readonly logLimits: LogRotationLimits;
  /** Latest instance per `<podUid>/<containerName>`. */
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<ExitListener>();
  private readonly timers: TimerHandle[] = [];
  private rotating = false;
  private polling = false;
  private closed = false;

  constructor(private readonly options: SupervisedRuntimeOptions, private readonly launcher: ContainerLauncher, private readonly stateFileName: string) {
    this.layout = new ProcessLayout(options.rootDirectory);
    this.logger = options.logger ?? silentLogger;
    this.ports = new PortAllocator(options.bindHost);
    this.logLimits = options.logLimits ?? LogLimits;
    const timers = options.env.timers;
    this.timers.push(timers.setInterval(() => void this.rotateLogs(), options.logCheckIntervalMs ?? LogLimits.checkIntervalMs));
    this.timers.push(timers.setInterval(() => void this.pollAdopted(), options.adoptedPollMs ?? SupervisedRuntimeLimits.adoptedPollMs));
  }

  podDirectory(podUid: string): string {
    return this.layout.podDirectory(podUid);
  }

  onExit(listener: ExitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(id: string): RuntimeContainer | undefined {
    return this.entryById(id)?.container;
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
    if (current === undefined && this.entries.size >= SupervisedRuntimeLimits.containersMax) {
      throw new AgentError(AgentErrorCode.startFailed, `agent tracks ${SupervisedRuntimeLimits.containersMax} containers already`);
    }
    // Reserve the slot before any await, so a concurrent start of the same container is refused.
    this.entries.set(key, this.placeholder(request));
    try {
      const ports = await this.ports.allocate(request.ports, current?.container.ports ?? []);
      const entry = await this.launch(request, ports).catch((error: unknown) => {
        this.ports.release(ports);
        throw error;
      });
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
      instance: request.instance, pid: 0, startedAtMs: this.options.env.clock.nowMs(), ports: [], adopted: false, runtimeName: this.launcher.runtimeName,
    };
    return makeEntry(container, emptyRecord(container), '', '');
  }

  private async launch(request: StartContainerRequest, ports: PortMapping[]): Promise<Entry> {
    const { podUid, containerName, instance } = request;
    const paths = {
      containerDirectory: this.layout.containerDirectory(podUid, containerName),
      containerRoot: this.layout.containerRoot(podUid, containerName),
      logFile: this.layout.logFile(podUid, containerName, instance),
      exitFile: this.layout.exitFile(podUid, containerName, instance),
    };
    await mkdir(paths.containerDirectory, { recursive: true });
    await mkdir(this.layout.logDirectory(podUid, containerName), { recursive: true });
    await rm(paths.exitFile, { force: true });
    const launched = await this.launcher.launch(request, ports, paths);
    const pid = launched.child.pid ?? 0;
    const startTicks = (await readProcessStat(pid))?.startTicks ?? '';
    const startedAtMs = this.options.env.clock.nowMs();
    const record: ContainerStateFile = { version: stateFileVersion, podUid, containerName, instance, pid, startTicks, startedAtMs, ports, env: launched.env, cwd: launched.cwd, ...launched.details };
    const entry = makeEntry(this.containerOf(record, false), record, paths.logFile, paths.exitFile);
    entry.child = launched.child;
    void launched.exited.then(({ code, signal }) => this.onChildExit(entry, code, signal));
    await writeStateFile(this.stateFile(podUid, containerName), record);
    await pruneOldInstances(paths.logFile, instance);
    this.logger.info({ podUid, containerName, instance, pid, ports, runtime: this.launcher.runtimeName }, 'container started');
    return entry;
  }

  private containerOf(record: ContainerStateFile, adopted: boolean): RuntimeContainer {
    const { podUid, containerName, instance } = record;
    return {
      id: containerId(podUid, containerName, instance), podUid, containerName, instance, pid: record.containerPid ?? record.pid, startedAtMs: record.startedAtMs,
      ports: record.ports, adopted, runtimeName: this.launcher.runtimeName,
      ...(record.imageID === undefined ? {} : { imageID: record.imageID }),
      ...(record.resources === undefined ? {} : { resources: record.resources }),
    };
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

  /** Records an exit once: cleans up through the launcher, persists it, frees ports, tells listeners. */
  private async finishExit(entry: Entry, observed: ExitInfo, pidUnused: boolean): Promise<void> {
    if (entry.container.exit !== undefined || entry.finishing) return;
    entry.finishing = true;
    entry.child = undefined;
    const exit = await this.launcher.finish(entry.record, observed, pidUnused && entry.record.pid > 1).catch((error: unknown) => {
      this.logger.error({ err: error, id: entry.container.id }, 'container cleanup failed');
      return observed;
    });
    entry.container = { ...entry.container, exit };
    this.ports.release(entry.container.ports);
    const key = entryKey(entry.container.podUid, entry.container.containerName);
    if (this.entries.get(key) === entry) {
      entry.record = { ...entry.record, exit };
      await writeStateFile(this.stateFile(entry.container.podUid, entry.container.containerName), entry.record).catch((error: unknown) => {
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
    if (entry.record.pid <= 1) throw new AgentError(AgentErrorCode.containerNotFound, `container ${id} is still starting`);
    await this.launcher.signal(entry.record, 'SIGTERM');
    const graceful = await withTimeout(this.options.env.timers, entry.exited, gracePeriodMs);
    if (graceful !== undefined) return graceful;
    entry.sigkilled = true;
    await this.launcher.signal(entry.record, 'SIGKILL');
    const killed = await withTimeout(this.options.env.timers, entry.exited, SupervisedRuntimeLimits.killWaitMs);
    if (killed !== undefined) return killed;
    this.logger.error({ id, pid: entry.record.pid }, 'container did not exit after SIGKILL; reporting it exited');
    await this.finishExit(entry, { exitCode: 137, signal: 'SIGKILL', finishedAtMs: this.options.env.clock.nowMs(), reason: 'Error' }, false);
    return entry.container.exit ?? { exitCode: 137, finishedAtMs: this.options.env.clock.nowMs(), reason: 'Error' };
  }

  async exec(id: string, command: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const entry = this.entryById(id);
    if (entry === undefined) throw new AgentError(AgentErrorCode.containerNotFound, `no container ${id}`);
    const target = this.launcher.execTarget(entry.record, command);
    return await execInContext(target.command, { cwd: target.cwd, env: target.env, timers: this.options.env.timers }, options.timeoutMs, options.signal);
  }

  execStream(id: string, command: readonly string[], options: ExecStreamOptions): ExecProcess {
    const entry = this.entryById(id);
    if (entry === undefined || entry.container.exit !== undefined) throw new AgentError(AgentErrorCode.containerNotFound, `no running container ${id}`);
    const target = this.launcher.execTarget(entry.record, command);
    return execStreamInContext(target.command, { cwd: target.cwd, env: target.env }, options);
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
      pollMs: this.options.followPollMs ?? SupervisedRuntimeLimits.followPollMs,
      isFinished: () => {
        const now = this.entries.get(entryKey(podUid, containerName));
        return options.previous === true || now === undefined || now.container.instance !== instance || now.container.exit !== undefined;
      },
      sleep: (ms, signal) => sleep(timers, ms, signal),
    });
  }

  /**
   * Re-adopts what an earlier agent left: a recorded wrapper that is still the same process (pid
   * and start time match) is watched, not restarted; one that is gone is reported exited with the
   * code it wrote, or as ContainerStatusUnknown when it never got to.
   */
  async recover(): Promise<RuntimeContainer[]> {
    const recovered: RuntimeContainer[] = [];
    for (const stateFile of await this.stateFiles()) {
      const record = await readStateFile(stateFile);
      if (record === undefined) continue;
      const key = entryKey(record.podUid, record.containerName);
      if (this.entries.has(key) || this.entries.size >= SupervisedRuntimeLimits.containersMax) continue;
      const entry = await this.adopt(record);
      this.entries.set(key, entry);
      recovered.push(entry.container);
    }
    return recovered;
  }

  private async adopt(record: ContainerStateFile): Promise<Entry> {
    const { podUid, containerName, instance } = record;
    const entry = makeEntry(this.containerOf(record, true), record, this.layout.logFile(podUid, containerName, instance), this.layout.exitFile(podUid, containerName, instance));
    if (record.exit !== undefined) {
      entry.container = { ...entry.container, exit: record.exit };
      entry.resolveExited(record.exit);
    } else if (await isSameProcessAlive(record)) {
      this.ports.reserve(record.ports);
      this.logger.info({ id: entry.container.id, pid: record.pid }, 're-adopted running container');
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
        if (entry.container.adopted && entry.container.exit === undefined && !entry.finishing && !(await isSameProcessAlive(entry.record))) {
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
    await this.launcher.removePod(podUid, this.layout.podDirectory(podUid));
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

  private stateFile(podUid: string, containerName: string): string {
    return join(this.layout.containerDirectory(podUid, containerName), this.stateFileName);
  }

  /** This runtime's state files only: the other runtime's containers (another file name) are not ours. */
  private async stateFiles(): Promise<string[]> {
    const files: string[] = [];
    const pods = await readdir(this.layout.podsDirectory()).catch(() => []);
    for (const podUid of pods) {
      const containersDirectory = join(this.layout.podDirectory(podUid), 'containers');
      for (const name of await readdir(containersDirectory).catch(() => [])) files.push(join(containersDirectory, name, this.stateFileName));
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
  return { container, record, logFile, exitFile, child: undefined, exited, resolveExited, sigkilled: false, finishing: false };
}
