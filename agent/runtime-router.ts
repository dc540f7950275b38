import { AgentError, AgentErrorCode } from './errors.ts';
import type {
  ExecOptions, ExecProcess, ExecResult, ExecStreamOptions, ExitInfo, ExitListener, LogOptions, Runtime, RuntimeContainer, StartContainerRequest,
} from './runtime.ts';

export const runtimeNames = ['process', 'oci'] as const;
export type RuntimeName = (typeof runtimeNames)[number];

/** A runtime this node cannot run, and why (what to install), for the pod's status. */
export interface UnavailableRuntime {
  readonly unavailable: string;
}

export interface RuntimeRouterOptions {
  readonly process: Runtime;
  readonly oci: Runtime | UnavailableRuntime;
  /** The agent's --runtime: what a pod without runtimeClassName gets. */
  readonly defaultRuntime: RuntimeName;
}

/**
 * Picks each pod's runtime: its `runtimeClassName` (`process` or `oci`; the RuntimeClass kind is
 * not served, the names are the handlers), else the agent's --runtime. Both runtimes share the
 * data directory's layout (pods/<uid>/…, volumes and logs where the pod worker expects them), so
 * only container operations are routed; each container is routed to the runtime that started or
 * re-adopted it.
 */
export class RuntimeRouter implements Runtime {
  private readonly runtimes: readonly Runtime[];

  constructor(private readonly options: RuntimeRouterOptions) {
    this.runtimes = 'unavailable' in options.oci ? [options.process] : [options.process, options.oci];
  }

  /** The runtime a request goes to, or why it cannot run here. */
  choose(runtimeClassName: string | undefined): Runtime | UnavailableRuntime {
    const name = runtimeClassName ?? this.options.defaultRuntime;
    if (name === 'process') return this.options.process;
    if (name === 'oci') return this.options.oci;
    return { unavailable: `runtimeClassName ${JSON.stringify(name)} is not a runtime of this node (it offers "process" and "oci")` };
  }

  async start(request: StartContainerRequest): Promise<RuntimeContainer> {
    const runtime = this.choose(request.runtimeClassName);
    if ('unavailable' in runtime) throw new AgentError(AgentErrorCode.runtimeUnavailable, runtime.unavailable);
    // A pod's containers all run on one runtime: a restart after an agent restart stays where it was.
    const other = this.runtimes.find((candidate) => candidate !== runtime && candidate.list(request.podUid).some((container) => container.exit === undefined));
    if (other !== undefined) throw new AgentError(AgentErrorCode.containerAlreadyRunning, `pod ${request.podUid} runs on another runtime`);
    return await runtime.start(request);
  }

  stop(id: string, gracePeriodMs: number): Promise<ExitInfo> {
    return this.owner(id).stop(id, gracePeriodMs);
  }

  status(id: string): RuntimeContainer | undefined {
    for (const runtime of this.runtimes) {
      const found = runtime.status(id);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  list(podUid?: string): RuntimeContainer[] {
    return this.runtimes.flatMap((runtime) => runtime.list(podUid));
  }

  onExit(listener: ExitListener): () => void {
    const removers = this.runtimes.map((runtime) => runtime.onExit(listener));
    return () => {
      for (const remove of removers) remove();
    };
  }

  exec(id: string, command: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return this.owner(id).exec(id, command, options);
  }

  execStream(id: string, command: readonly string[], options: ExecStreamOptions): ExecProcess {
    return this.owner(id).execStream(id, command, options);
  }

  logs(podUid: string, containerName: string, options?: LogOptions): AsyncIterable<string> {
    const runtime = this.runtimes.find((candidate) => candidate.list(podUid).some((container) => container.containerName === containerName)) ?? this.options.process;
    return runtime.logs(podUid, containerName, options);
  }

  async recover(): Promise<RuntimeContainer[]> {
    const recovered: RuntimeContainer[] = [];
    for (const runtime of this.runtimes) recovered.push(...(await runtime.recover()));
    return recovered;
  }

  podDirectory(podUid: string): string {
    return this.options.process.podDirectory(podUid);
  }

  async removePod(podUid: string): Promise<void> {
    const running = this.list(podUid).find((container) => container.exit === undefined);
    if (running !== undefined) throw new AgentError(AgentErrorCode.containerAlreadyRunning, `pod ${podUid} still has ${running.id} running`);
    // The OCI runtime unmounts what it mounted under the pod's directory before it is deleted.
    for (const runtime of [...this.runtimes].reverse()) await runtime.removePod(podUid);
  }

  async close(): Promise<void> {
    for (const runtime of this.runtimes) await runtime.close();
  }

  private owner(id: string): Runtime {
    const runtime = this.runtimes.find((candidate) => candidate.status(id) !== undefined);
    if (runtime === undefined) throw new AgentError(AgentErrorCode.containerNotFound, `no container ${id}`);
    return runtime;
  }
}
