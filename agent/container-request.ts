import { resolveEnv, type EnvLookups } from './env.ts';
import { ContainerProbes } from './probes/container-probes.ts';
import type { Container, Pod } from './pod-types.ts';
import type { StartContainerRequest } from './runtime.ts';
import { resolveMounts } from './volumes.ts';

export type RequestBuild =
  | { readonly ok: true; readonly request: StartContainerRequest }
  | { readonly ok: false; readonly reason: 'CreateContainerConfigError'; readonly message: string };

/**
 * Everything about starting one container that can be decided without I/O: env, `$(VAR)`-expanded
 * argv, volume mounts, probe validity. A failure here is kubelet's CreateContainerConfigError: the
 * container waits and the worker retries (a missing ConfigMap may appear later).
 */
export function buildStartRequest(pod: Pod, container: Container, instance: number, lookups: EnvLookups, volumePaths: ReadonlyMap<string, string>): RequestBuild {
  const env = resolveEnv(container, pod, lookups);
  if (!env.ok) return { ok: false, reason: env.reason, message: env.message };
  const probes = ContainerProbes.create(container, 0);
  if ('invalid' in probes) return configError(probes.invalid);
  const mounts = resolveMounts(container, volumePaths);
  if ('missing' in mounts) return configError(`volumeMount refers to unknown volume ${mounts.missing}`);
  // The process runtime has no image: `command` is the program; with only `args`, args[0] is (it
  // refuses an empty one). The OCI runtime fills in from the image's ENTRYPOINT and CMD.
  const words = [...(container.command ?? []), ...(container.args ?? [])];
  const request: StartContainerRequest = {
    podUid: pod.metadata.uid,
    podName: pod.metadata.name,
    podNamespace: pod.metadata.namespace ?? 'default',
    containerName: container.name,
    instance,
    argv: words,
    env: env.env,
    ports: container.ports ?? [],
    mounts,
    ...(container.workingDir === undefined ? {} : { workingDir: container.workingDir }),
    ...(container.image === undefined ? {} : { image: container.image }),
    ...(container.imagePullPolicy === undefined ? {} : { imagePullPolicy: container.imagePullPolicy }),
    ...(container.command === undefined ? {} : { command: container.command }),
    ...(container.args === undefined ? {} : { args: container.args }),
    ...(pod.spec.runtimeClassName === undefined ? {} : { runtimeClassName: pod.spec.runtimeClassName }),
    ...(container.resources === undefined ? {} : { resources: container.resources }),
  };
  return { ok: true, request };
}

function configError(message: string): RequestBuild {
  return { ok: false, reason: 'CreateContainerConfigError', message };
}
