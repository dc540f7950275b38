import { silentLogger } from '../common/index.ts';
import type { HostIsolation } from './host-isolation.ts';
import { OciLauncher } from './oci-launcher.ts';
import { PodmanImageStore } from './oci-images.ts';
import type { OciTools } from './oci-tools.ts';
import { SupervisedRuntime, type SupervisedRuntimeOptions } from './supervised-runtime.ts';

export interface OciRuntimeOptions extends SupervisedRuntimeOptions {
  /** From detectOciTools(). */
  readonly tools: OciTools;
  /** Cgroup limits as for root-mode process containers (detectHostIsolation()). */
  readonly isolation: HostIsolation;
}

/** The OCI runtime's state files (beside the process runtime's `state.json`, never mistaken for them). */
export const ociStateFileName = 'oci-state.json';

/**
 * The OCI runtime: real images from the node's local podman store, run by crun or runc with the
 * process runtime's semantics — the same host ports (PORT, FLOTILLA_PORT_*, Endpoints), env
 * rules, volumes (bind-mounted at their mountPath), log files, exec, probes, graceful stop and
 * re-adoption after an agent restart. See agent/README.md, "The OCI runtime".
 */
export class OciRuntime extends SupervisedRuntime {
  constructor(options: OciRuntimeOptions) {
    const logger = options.logger ?? silentLogger;
    const images = new PodmanImageStore(options.tools.podman, options.env.clock);
    const launcher = new OciLauncher({ rootDirectory: options.rootDirectory, timers: options.env.timers, logger, isolation: options.isolation, tools: options.tools, images });
    super(options, launcher, ociStateFileName);
  }
}
