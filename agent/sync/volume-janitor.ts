import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env, Logger, TimerHandle } from '../../common/index.ts';
import type { ControlPlaneClient } from './control-plane-client.ts';

export const VolumeJanitorDefaults = {
  /** How often the volumes directory is compared with the PersistentVolumes that exist (level-based). */
  intervalMs: 60_000,
} as const;

/** A directory under the volumes directory is only ever removed if its name could be a PV's (a DNS subdomain). */
const volumeNamePattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Removes the data of local-path volumes that no longer exist (controllers/README.md, "Contract:
 * volumes on nodes"): every directory directly under the node's volumes directory whose name is
 * not an existing PersistentVolume's, after a complete, linearizable list — never on a failed or
 * partial one. Events may be missed; the periodic listing may not.
 */
export class VolumeJanitor {
  private timer: TimerHandle | undefined;
  private busy = false;
  removed = 0;

  constructor(
    private readonly volumesDirectory: string,
    private readonly client: Pick<ControlPlaneClient, 'listVolumes'>,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = this.env.timers.setInterval(() => void this.sweep(), VolumeJanitorDefaults.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** One pass; returns the names removed. */
  async sweep(): Promise<string[]> {
    if (this.busy) return [];
    this.busy = true;
    try {
      const present = await readdir(this.volumesDirectory, { withFileTypes: true }).catch(() => []);
      const candidates = present.filter((entry) => entry.isDirectory() && volumeNamePattern.test(entry.name)).map((entry) => entry.name);
      if (candidates.length === 0) return [];
      const { names, complete } = await this.client.listVolumes();
      if (!complete) return [];
      const existing = new Set(names);
      const gone = candidates.filter((name) => !existing.has(name));
      for (const name of gone) {
        await rm(join(this.volumesDirectory, name), { recursive: true, force: true });
        this.removed++;
        this.logger.info({ volume: name }, 'removed the data of a volume that no longer exists');
      }
      return gone;
    } catch (error) {
      this.logger.debug({ err: error }, 'volume sweep skipped');
      return [];
    } finally {
      this.busy = false;
    }
  }
}
