import type { Env, Logger } from '../../common/index.ts';
import { detectHostIsolation } from '../host-isolation.ts';
import { OciRuntime } from '../oci-runtime.ts';
import { detectOciTools } from '../oci-tools.ts';
import { ProcessRuntime } from '../process-runtime.ts';
import { RuntimeRouter, type RuntimeName } from '../runtime-router.ts';

/**
 * The node's runtimes: the process runtime (root mode when the agent is root: mount namespaces
 * and cgroup limits) and the OCI runtime where crun/runc and podman are installed; each pod runs
 * on the one its runtimeClassName names, else on `defaultRuntime` (--runtime). What the host
 * cannot enforce, and what to install for the OCI runtime, is logged at start.
 */
export async function createNodeRuntime(dataDirectory: string, defaultRuntime: RuntimeName, env: Env, logger: Logger): Promise<RuntimeRouter> {
  const isolation = await detectHostIsolation();
  const rootMode = { mountNamespaces: isolation.mountNamespace !== false, cgroups: isolation.cgroups === undefined ? 'none' : `v${isolation.cgroups.version}` };
  if (isolation.notes.length > 0) logger.warn({ ...rootMode, notes: isolation.notes }, 'process runtime: not everything is enforced on this host');
  else logger.info(rootMode, 'process runtime: root mode (mount namespaces, cgroup limits)');
  const processRuntime = new ProcessRuntime({ rootDirectory: dataDirectory, env, logger: logger.child({ runtime: 'process' }), isolation });
  const tools = await detectOciTools();
  if (tools.ok) logger.info({ binary: tools.tools.binary, images: 'podman local store' }, `OCI runtime available (${tools.tools.kind})`);
  else (defaultRuntime === 'oci' ? logger.error.bind(logger) : logger.info.bind(logger))({ reason: tools.reason }, 'OCI runtime not available: pods that need it wait with the reason in their status');
  const oci = tools.ok
    ? new OciRuntime({ rootDirectory: dataDirectory, env, logger: logger.child({ runtime: 'oci' }), tools: tools.tools, isolation })
    : { unavailable: `the OCI runtime is not available on this node: ${tools.reason}` };
  return new RuntimeRouter({ process: processRuntime, oci, defaultRuntime });
}
