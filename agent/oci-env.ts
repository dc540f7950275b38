import { addAssignedEnv } from './container-env.ts';
import { expandCommand } from './env.ts';
import type { ImageConfig } from './oci-images.ts';
import type { PortMapping, ResolvedMount, StartContainerRequest } from './runtime.ts';

/** The PATH container engines give a container whose image sets none. */
export const defaultContainerPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface OciEnvInput {
  readonly image: ImageConfig;
  readonly podName: string;
  readonly home: string;
  readonly resolved: ReadonlyMap<string, string>;
  readonly ports: readonly PortMapping[];
  readonly mounts: readonly ResolvedMount[];
}

/**
 * A container's environment, by precedence (pure): PATH and HOME defaults, then the image's ENV,
 * HOSTNAME, the pod spec's env, then what the agent assigns — the same PORT, FLOTILLA_PORT_* as
 * the process runtime (host network: the container listens on its host port), and
 * FLOTILLA_VOLUME_<NAME>, here the mountPath (where the volume is inside the container).
 */
export function buildOciEnv(input: OciEnvInput): Record<string, string> {
  const env: Record<string, string> = { PATH: defaultContainerPath, HOME: input.home };
  for (const entry of input.image.env) {
    const separator = entry.indexOf('=');
    if (separator > 0) env[entry.slice(0, separator)] = entry.slice(separator + 1);
  }
  env['HOSTNAME'] = input.podName;
  for (const [name, value] of input.resolved) env[name] = value;
  addAssignedEnv(env, input.ports, input.mounts, 'mountPath');
  return env;
}

/**
 * Kubernetes' rule for what runs (pure): `command` replaces the image's ENTRYPOINT (and drops its
 * CMD), `args` replaces CMD. Only the spec's words are `$(VAR)`-expanded, as kubelet does.
 */
export function ociArgv(request: Pick<StartContainerRequest, 'command' | 'args' | 'argv'>, image: ImageConfig, env: Readonly<Record<string, string>>): string[] {
  const values = new Map(Object.entries(env));
  const command = request.command === undefined ? undefined : expandCommand(request.command, values);
  const args = request.args === undefined ? undefined : expandCommand(request.args, values);
  if (command === undefined && args === undefined && request.argv.length > 0) {
    // A request built without command/args apart (older callers): argv is the command.
    return expandCommand(request.argv, values);
  }
  const entrypoint = command ?? [...image.entrypoint];
  const cmd = command === undefined ? (args ?? [...image.cmd]) : (args ?? []);
  return [...entrypoint, ...cmd];
}
