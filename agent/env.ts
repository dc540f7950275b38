import { expand, mappingFor } from './expansion.ts';
import type { ClaimVolume, ConfigData, Container, EnvVarSource, KeySelector, ObjectFieldSelector, Pod, ResourceFieldSelector } from './pod-types.ts';
import { parseQuantity } from './quantity.ts';

/**
 * What env resolution needs from outside, read synchronously (from the agent's informer cache) so
 * that `resolveEnv` stays a pure function.
 */
export interface EnvLookups {
  configMap(namespace: string, name: string): ConfigData | undefined;
  secret(namespace: string, name: string): ConfigData | undefined;
  readonly hostIP: string;
  readonly podIP: string;
  /** Node allocatable: the value of `limits.*` for a container that sets no limit (as kubelet). */
  readonly nodeAllocatable: Readonly<Record<string, string | number>>;
  /** persistentVolumeClaim volumes (see VolumeLookups.claim). */
  claim?(namespace: string, claimName: string): ClaimVolume | undefined;
  /**
   * The Service variables (service-links.ts) of a pod in `namespace` whose enableServiceLinks is
   * as given, from the Services that exist now; absent: none.
   */
  serviceVariables?(namespace: string, enableServiceLinks: boolean): ReadonlyMap<string, string>;
}

export type EnvResolution =
  | { readonly ok: true; readonly env: ReadonlyMap<string, string>; readonly skippedKeys: readonly string[] }
  | { readonly ok: false; readonly reason: 'CreateContainerConfigError'; readonly message: string };

type Lookup = { readonly ok: true; readonly value: string | undefined } | { readonly ok: false; readonly message: string };

/** Kubernetes' IsEnvVarName: keys of envFrom that fail it are skipped (kubelet emits an event). */
const envVarNamePattern = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * The container's environment by kubelet's rules (makeEnvironmentVariables): envFrom sources first,
 * in order, later keys overriding earlier ones; then `env` in order, where a literal `value` is
 * `$(VAR)`-expanded against everything defined so far and then the Service variables, and a
 * `valueFrom` is taken verbatim; last the Service variables not defined otherwise. A missing
 * non-optional ConfigMap, Secret or key fails the container (CreateContainerConfigError); an
 * optional one leaves the variable unset.
 */
export function resolveEnv(container: Container, pod: Pod, lookups: EnvLookups): EnvResolution {
  const env = new Map<string, string>();
  const skippedKeys: string[] = [];
  const namespace = pod.metadata.namespace ?? 'default';
  const serviceEnv = lookups.serviceVariables?.(namespace, pod.spec.enableServiceLinks ?? true) ?? new Map<string, string>();
  for (const source of container.envFrom ?? []) {
    const reference = source.configMapRef ?? source.secretRef;
    if (reference === undefined) continue;
    const kind = source.configMapRef !== undefined ? 'configmap' : 'secret';
    const data = kind === 'configmap' ? lookups.configMap(namespace, reference.name) : lookups.secret(namespace, reference.name);
    if (data === undefined) {
      if (reference.optional === true) continue;
      return configError(`${kind} "${reference.name}" not found`);
    }
    for (const [key, value] of Object.entries(data)) {
      const name = `${source.prefix ?? ''}${key}`;
      if (envVarNamePattern.test(name)) env.set(name, value);
      else skippedKeys.push(name);
    }
  }
  for (const variable of container.env ?? []) {
    if (variable.valueFrom === undefined) {
      env.set(variable.name, expand(variable.value ?? '', mappingFor(env, serviceEnv)));
      continue;
    }
    const resolved = resolveSource(variable.valueFrom, container, pod, lookups);
    if (!resolved.ok) return configError(resolved.message);
    if (resolved.value !== undefined) env.set(variable.name, resolved.value);
  }
  for (const [name, value] of serviceEnv) if (!env.has(name)) env.set(name, value);
  return { ok: true, env, skippedKeys };
}

/** Expands `$(VAR)` in command and args against the final environment, as kubelet does. */
export function expandCommand(words: readonly string[], env: ReadonlyMap<string, string>): string[] {
  const lookup = mappingFor(env);
  return words.map((word) => expand(word, lookup));
}

function configError(message: string): EnvResolution {
  return { ok: false, reason: 'CreateContainerConfigError', message };
}

function resolveSource(source: EnvVarSource, container: Container, pod: Pod, lookups: EnvLookups): Lookup {
  const namespace = pod.metadata.namespace ?? 'default';
  if (source.fieldRef !== undefined) return resolveFieldRef(source.fieldRef, pod, lookups);
  if (source.resourceFieldRef !== undefined) return resolveResourceFieldRef(source.resourceFieldRef, container, pod, lookups);
  if (source.configMapKeyRef !== undefined) {
    return resolveKey('configmap', source.configMapKeyRef, lookups.configMap(namespace, source.configMapKeyRef.name));
  }
  if (source.secretKeyRef !== undefined) {
    return resolveKey('secret', source.secretKeyRef, lookups.secret(namespace, source.secretKeyRef.name));
  }
  return { ok: false, message: 'valueFrom has no source' };
}

function resolveKey(kind: string, selector: KeySelector, data: ConfigData | undefined): Lookup {
  const optional = selector.optional === true;
  if (data === undefined) {
    return optional ? { ok: true, value: undefined } : { ok: false, message: `${kind} "${selector.name}" not found` };
  }
  if (!Object.hasOwn(data, selector.key)) {
    return optional
      ? { ok: true, value: undefined }
      : { ok: false, message: `couldn't find key ${selector.key} in ${kind} "${selector.name}"` };
  }
  return { ok: true, value: data[selector.key] };
}

const metadataMapPattern = /^metadata\.(labels|annotations)\['(.+)'\]$/;

/** The downward API fields kubelet allows in env (pod.go podFieldSelectorRuntimeValue). */
function resolveFieldRef(selector: ObjectFieldSelector, pod: Pod, lookups: EnvLookups): Lookup {
  const path = selector.fieldPath;
  const simple: Readonly<Record<string, string | undefined>> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace ?? 'default',
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName ?? '',
    'spec.serviceAccountName': pod.spec.serviceAccountName ?? 'default',
    'status.hostIP': lookups.hostIP,
    'status.hostIPs': lookups.hostIP,
    'status.podIP': lookups.podIP,
    'status.podIPs': lookups.podIP,
  };
  if (Object.hasOwn(simple, path)) return { ok: true, value: simple[path] ?? '' };
  const match = metadataMapPattern.exec(path);
  if (match !== null) {
    const map = match[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return { ok: true, value: map?.[match[2] ?? ''] ?? '' };
  }
  return { ok: false, message: `unsupported fieldPath ${path}` };
}

/**
 * limits.* / requests.* of a container, divided by `divisor` and rounded up (kubelet's
 * ExtractContainerResourceValue). An unset limit reads as node allocatable; an unset request reads
 * as the limit if set (API defaulting) and otherwise 0.
 */
function resolveResourceFieldRef(selector: ResourceFieldSelector, container: Container, pod: Pod, lookups: EnvLookups): Lookup {
  const targetName = selector.containerName ?? container.name;
  const target = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((candidate) => candidate.name === targetName);
  if (target === undefined) return { ok: false, message: `resourceFieldRef: container ${targetName} not found` };
  const [section, resource] = splitResource(selector.resource);
  if (resource === undefined) return { ok: false, message: `unsupported resource ${selector.resource}` };
  const limit = target.resources?.limits?.[resource];
  const raw = section === 'limits'
    ? (limit ?? lookups.nodeAllocatable[resource])
    : (target.resources?.requests?.[resource] ?? limit ?? 0);
  const value = raw === undefined ? undefined : parseQuantity(raw);
  const divisor = parseQuantity(selector.divisor ?? 1);
  if (value === undefined || divisor === undefined || divisor <= 0) {
    return { ok: false, message: `resourceFieldRef ${selector.resource}: unparseable quantity` };
  }
  // Integer arithmetic in milli-units for cpu (as kubelet's MilliValue), to avoid 0.1+0.2 drift.
  const quotient = resource === 'cpu' ? Math.round(value * 1000) / Math.round(divisor * 1000) : value / divisor;
  return { ok: true, value: String(Math.ceil(quotient - 1e-9)) };
}

function splitResource(resource: string): [string, string | undefined] {
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage|hugepages-[\w.]+)$/.exec(resource);
  if (match === null) return ['', undefined];
  return [match[1] ?? '', match[2]];
}
