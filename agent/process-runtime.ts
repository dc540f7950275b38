import { silentLogger } from '../common/index.ts';
import { noIsolation, type HostIsolation } from './host-isolation.ts';
import { ProcessLauncher } from './process-launcher.ts';
import { SupervisedRuntime, SupervisedRuntimeLimits, type SupervisedRuntimeOptions } from './supervised-runtime.ts';

export const ProcessRuntimeLimits = SupervisedRuntimeLimits;

export interface ProcessRuntimeOptions extends SupervisedRuntimeOptions {
  /** PATH given to containers (there is no image); defaults to the agent's PATH. */
  readonly containerPath?: string;
  /**
   * Root mode: mount namespaces and cgroup limits (detectHostIsolation()); the default is none,
   * the non-root fallback (symlinked volumes, no limits).
   */
  readonly isolation?: HostIsolation;
}

/** The state file's name: the process runtime's records (the OCI runtime's have another). */
export const processStateFileName = 'state.json';

/**
 * The process runtime: a container is its command run on the host, in its own directory under the
 * pod's, in its own process group (so stop and cleanup reach everything it started), with stdout and
 * stderr appended to a size-rotated log file. As root it also gets a mount namespace and cgroup
 * limits. See agent/README.md for what is not isolated.
 */
export class ProcessRuntime extends SupervisedRuntime {
  constructor(options: ProcessRuntimeOptions) {
    const launcher = new ProcessLauncher({
      rootDirectory: options.rootDirectory, timers: options.env.timers, logger: options.logger ?? silentLogger, isolation: options.isolation ?? noIsolation,
      ...(options.containerPath === undefined ? {} : { containerPath: options.containerPath }),
    });
    super(options, launcher, processStateFileName);
  }
}
