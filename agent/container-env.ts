import type { PortMapping, ResolvedMount } from './runtime.ts';

/** `FLOTILLA_PORT_<NAME>` / `FLOTILLA_VOLUME_<NAME>`: uppercase, anything not [A-Z0-9_] → `_`. */
export function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

export interface ProcessEnvInput {
  readonly podName: string;
  readonly containerRoot: string;
  /** The agent's PATH, so that commands resolve as on the host (there is no image). */
  readonly hostPath: string | undefined;
  readonly resolved: ReadonlyMap<string, string>;
  readonly ports: readonly PortMapping[];
  readonly mounts: readonly ResolvedMount[];
}

/**
 * The process environment, by precedence: a small base (PATH, HOME, HOSTNAME as a container would
 * have), then the pod spec's env, then what the agent assigns and the process must see to work at
 * all (its host ports and volume paths). The agent's own environment is not inherited.
 */
export function buildProcessEnv(input: ProcessEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    PATH: input.hostPath ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: input.containerRoot,
    HOSTNAME: input.podName,
  };
  for (const [name, value] of input.resolved) env[name] = value;
  addAssignedEnv(env, input.ports, input.mounts, 'hostPath');
  return env;
}

/**
 * What the agent assigns, set last so that it wins over the spec (both runtimes): PORT (the first
 * port's host port), FLOTILLA_PORT_<containerPort> and FLOTILLA_PORT_<NAME>, and
 * FLOTILLA_VOLUME_<NAME> at the mount's `volumePath` (the host path for a process, the mountPath
 * inside an OCI container).
 */
export function addAssignedEnv(
  env: Record<string, string>, ports: readonly PortMapping[], mounts: readonly ResolvedMount[], volumePath: 'hostPath' | 'mountPath',
): void {
  const first = ports[0];
  if (first !== undefined) env['PORT'] = String(first.hostPort);
  for (const port of ports) {
    env[`FLOTILLA_PORT_${port.containerPort}`] = String(port.hostPort);
    if (port.name !== undefined) env[`FLOTILLA_PORT_${envSuffix(port.name)}`] = String(port.hostPort);
  }
  for (const mount of mounts) env[`FLOTILLA_VOLUME_${envSuffix(mount.volumeName)}`] = mount[volumePath];
}
