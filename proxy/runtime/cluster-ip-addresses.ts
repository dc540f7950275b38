import { execFile } from 'node:child_process';
import { isIPv6 } from 'node:net';
import type { Logger } from '../../common/index.ts';

/** The dummy interface cluster IPs are added to (kube-proxy's IPVS mode uses kube-ipvs0 the same way). */
export const clusterInterfaceName = 'flotilla0';
/** When the kernel has no dummy driver, addresses go on loopback under this label, so ours are told apart. */
export const loopbackLabel = 'lo:flotilla';
const commandTimeoutMs = 5_000;

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type CommandRunner = (command: string, args: readonly string[]) => Promise<CommandResult>;

export const runCommand: CommandRunner = (command, args) => new Promise((resolve) => {
  execFile(command, [...args], { timeout: commandTimeoutMs }, (error, stdout, stderr) => {
    const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
    resolve({ code, stdout: String(stdout), stderr: String(stderr) || (error?.message ?? '') });
  });
});

/**
 * Root mode's address plumbing: cluster IPs as /32 (/128) addresses on a dummy interface, so the
 * kernel accepts connections to them and the proxy listens on clusterIP:port. If the kernel lacks
 * the dummy driver (some VMs and containers), the addresses go on `lo` with the `lo:flotilla` label.
 */
export class ClusterIpAddresses {
  private device: string | null = null;

  constructor(private readonly logger: Logger, private readonly run: CommandRunner = runCommand) {}

  get deviceName(): string | null {
    return this.device;
  }

  /** Creates (or reuses) the interface; false with a reason when this host cannot (no root, no `ip`). */
  async prepare(): Promise<{ ok: true; device: string } | { ok: false; reason: string }> {
    const existing = await this.run('ip', ['link', 'show', clusterInterfaceName]);
    if (existing.code !== 0) {
      const added = await this.run('ip', ['link', 'add', clusterInterfaceName, 'type', 'dummy']);
      if (added.code !== 0) {
        const loopback = await this.run('ip', ['-o', 'addr', 'show', 'dev', 'lo']);
        if (loopback.code !== 0) return { ok: false, reason: `ip link add ${clusterInterfaceName} type dummy failed: ${added.stderr.trim()}` };
        this.logger.info({ reason: added.stderr.trim() }, `no dummy interface; cluster IPs go on lo (label ${loopbackLabel})`);
        this.device = 'lo';
        return { ok: true, device: 'lo' };
      }
    }
    const up = await this.run('ip', ['link', 'set', clusterInterfaceName, 'up']);
    if (up.code !== 0) return { ok: false, reason: `ip link set ${clusterInterfaceName} up failed: ${up.stderr.trim()}` };
    this.device = clusterInterfaceName;
    return { ok: true, device: clusterInterfaceName };
  }

  /** Makes the interface hold exactly these addresses (ours only: on lo, those with our label). */
  async sync(addresses: readonly string[]): Promise<string[]> {
    const device = this.device;
    if (device === null) return [];
    const current = await this.current(device);
    const wanted = new Set(addresses);
    const failures: string[] = [];
    for (const address of addresses) {
      if (current.has(address)) continue;
      const args = ['addr', 'add', `${address}/${isIPv6(address) ? 128 : 32}`, 'dev', device, ...(device === 'lo' && !isIPv6(address) ? ['label', loopbackLabel] : [])];
      const result = await this.run('ip', args);
      if (result.code !== 0 && !result.stderr.includes('File exists')) failures.push(`${address}: ${result.stderr.trim()}`);
    }
    for (const address of current) {
      if (!wanted.has(address)) await this.run('ip', ['addr', 'del', `${address}/${isIPv6(address) ? 128 : 32}`, 'dev', device]);
    }
    return failures;
  }

  async cleanup(): Promise<void> {
    const device = this.device;
    if (device === null) return;
    if (device === clusterInterfaceName) await this.run('ip', ['link', 'del', clusterInterfaceName]);
    else await this.sync([]);
    this.device = null;
  }

  private async current(device: string): Promise<Set<string>> {
    const result = await this.run('ip', ['-o', 'addr', 'show', 'dev', device]);
    const addresses = new Set<string>();
    for (const line of result.stdout.split('\n')) {
      const match = /\binet6?\s+([0-9a-fA-F.:]+)\/(32|128)\b/.exec(line);
      if (match === null) continue;
      // On lo only the labelled addresses are ours (127.0.0.1 and anything an operator added stay).
      if (device === 'lo' && !line.includes(loopbackLabel)) continue;
      if (match[1] !== undefined) addresses.add(match[1]);
    }
    return addresses;
  }
}
