import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Clock } from '../common/index.ts';
import { AgentError, AgentErrorCode } from './errors.ts';

const run = promisify(execFile);

export const ImageStoreLimits = {
  /** Image references whose lookup is remembered, and for how long (a re-tagged image is seen after it). */
  referencesCachedMax: 256,
  referenceCacheMs: 10_000,
  /** A podman call that takes longer is failed (podman's storage lock held by a stuck process). */
  podmanTimeoutMs: 30_000,
} as const;

/** The parts of an image's config the runtime uses (OCI image config, as podman reports it). */
export interface ImageConfig {
  readonly env: readonly string[];
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly workingDir: string;
  readonly user: string;
  readonly stopSignal: string;
}

export interface LocalImage {
  /** `sha256:<hex>`, reported as ContainerStatus.imageID. */
  readonly id: string;
  readonly config: ImageConfig;
  /** The image's root filesystem, read-only (podman's mount of it): the lower layer of each container's overlay. */
  readonly rootDirectory: string;
}

/**
 * Images come from podman's local store on the node (`podman load -i image.tar`, `podman import`,
 * `podman pull` where a registry is reachable, `podman build`): the agent never pulls. An image is
 * found with `podman image inspect` and its filesystem with `podman image mount`, which stays
 * mounted while the agent uses it (so `podman rmi` refuses an image a pod runs).
 */
export class PodmanImageStore {
  private readonly references = new Map<string, { image: LocalImage; atMs: number }>();
  private readonly mounted = new Map<string, string>();

  constructor(private readonly podman: string, private readonly clock: Clock) {}

  async resolve(reference: string): Promise<LocalImage> {
    const cached = this.references.get(reference);
    const nowMs = this.clock.nowMs();
    if (cached !== undefined && nowMs - cached.atMs < ImageStoreLimits.referenceCacheMs) return cached.image;
    const inspected = await this.inspect(reference);
    const rootDirectory = this.mounted.get(inspected.id) ?? (await this.mount(inspected.id));
    this.mounted.set(inspected.id, rootDirectory);
    const image = { ...inspected, rootDirectory };
    if (this.references.size >= ImageStoreLimits.referencesCachedMax) this.references.clear();
    this.references.set(reference, { image, atMs: nowMs });
    return image;
  }

  private async inspect(reference: string): Promise<Omit<LocalImage, 'rootDirectory'>> {
    let stdout: string;
    try {
      ({ stdout } = await run(this.podman, ['image', 'inspect', '--', reference], { timeout: ImageStoreLimits.podmanTimeoutMs, maxBuffer: 8 * 1024 * 1024 }));
    } catch (error) {
      const message = String((error as { stderr?: unknown }).stderr ?? error).trim();
      if (/image not known|no such image|failed to find image/i.test(message)) {
        throw new AgentError(AgentErrorCode.imageNotPresent, `image ${JSON.stringify(reference)} is not in this node's local image store (podman); load it there (podman load, podman import or podman pull): the agent does not pull`);
      }
      throw new AgentError(AgentErrorCode.startFailed, `podman image inspect ${reference}: ${message}`, { cause: error });
    }
    return parseInspect(stdout, reference);
  }

  private async mount(id: string): Promise<string> {
    const { stdout } = await run(this.podman, ['image', 'mount', id], { timeout: ImageStoreLimits.podmanTimeoutMs });
    const path = stdout.trim();
    if (!path.startsWith('/')) throw new AgentError(AgentErrorCode.startFailed, `podman image mount ${id} gave no path: ${JSON.stringify(path)}`);
    return path;
  }
}

/** Reads `podman image inspect` output (pure); throws on a shape it does not know. */
export function parseInspect(text: string, reference: string): Omit<LocalImage, 'rootDirectory'> {
  const parsed: unknown = JSON.parse(text);
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (typeof first !== 'object' || first === null) throw new AgentError(AgentErrorCode.startFailed, `podman image inspect ${reference}: no image in the answer`);
  const record = first as Record<string, unknown>;
  const id = typeof record['Id'] === 'string' ? record['Id'] : '';
  const config = typeof record['Config'] === 'object' && record['Config'] !== null ? (record['Config'] as Record<string, unknown>) : {};
  return {
    id: id.startsWith('sha256:') ? id : `sha256:${id}`,
    config: {
      env: strings(config['Env']),
      entrypoint: strings(config['Entrypoint']),
      cmd: strings(config['Cmd']),
      workingDir: typeof config['WorkingDir'] === 'string' ? config['WorkingDir'] : '',
      user: typeof config['User'] === 'string' ? config['User'] : '',
      stopSignal: typeof config['StopSignal'] === 'string' ? config['StopSignal'] : '',
    },
  };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
