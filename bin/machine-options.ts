import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseIntegerOption } from './integer-option.ts';

/** How `flotilla init` / `flotilla join` start what they configured. */
export const startModes = ['none', 'systemd', 'foreground'] as const;
export type StartMode = (typeof startModes)[number];

/** A usage problem: printed with the command's name, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ServerMachineFlags {
  readonly name?: string;
  readonly address?: string;
  readonly dataDir: string;
  readonly configOut: string;
  readonly nats: string;
  readonly natsAdvertise?: string;
  readonly peerPort: number;
  readonly clientPort: number;
  readonly apiPort: number;
  readonly joinPort: number;
  readonly metricsPort: number;
  readonly start: string;
  readonly waitTimeoutMs: number;
}

const port = (name: string) => parseIntegerOption(name, 1, 65_535);

/** The options a control-plane VM is described with, shared by `init` and `join --role server`. */
export function addServerMachineOptions(command: Command): Command {
  return command
    .option('--name <name>', 'this control-plane VM\'s member name (e.g. cp1)')
    .option('--address <ip>', 'this VM\'s address as the other VMs reach it (its LAN IP)')
    .option('--data-dir <dir>', 'the server\'s data directory', '/var/lib/flotilla/server')
    .option('--config-out <file>', 'where to write the server\'s config file', '/etc/flotilla/server.yaml')
    .option('--nats <urls>', 'this VM\'s nats-server as the server reaches it, or "none"', 'nats://127.0.0.1:4222')
    .option('--nats-advertise <urls>', 'NATS URLs handed to agents (default: nats://<address>:4222)')
    .option('--peer-port <port>', 'Raft peer port', port('--peer-port'), 2380)
    .option('--client-port <port>', 'etcd client API port', port('--client-port'), 2379)
    .option('--api-port <port>', 'Kubernetes API port', port('--api-port'), 6443)
    .option('--join-port <port>', 'join service port', port('--join-port'), 6444)
    .option('--metrics-port <port>', 'metrics and /healthz port, 0 for off', parseIntegerOption('--metrics-port', 0, 65_535), 9090)
    .option('--start <mode>', `after writing the config: ${startModes.join(', ')} (systemd: systemctl enable --now; foreground: run it in this process)`, 'none')
    .option('--wait-timeout-ms <ms>', 'how long to wait for the cluster (token, promotion)', parseIntegerOption('--wait-timeout-ms', 1_000, 3_600_000), 180_000);
}

export function parseStartMode(value: string): StartMode {
  if (!(startModes as readonly string[]).includes(value)) throw new UsageError(`--start: expected one of ${startModes.join(', ')}, got "${value}"`);
  return value as StartMode;
}

/** The machine description for machine-config.ts, or a UsageError saying what is missing. */
export function serverMachineOf(flags: ServerMachineFlags): import('../control-plane/index.ts').ServerMachine {
  const problems: string[] = [];
  if (flags.name === undefined || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(flags.name)) problems.push('--name NAME is required (letters, digits, ".", "_", "-")');
  if (flags.address === undefined || !/^[0-9A-Za-z.:-]+$/.test(flags.address) || flags.address === '0.0.0.0') problems.push('--address is required: this VM\'s LAN IP (or DNS name) the other VMs reach it at');
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  const address = flags.address ?? '';
  const natsNone = flags.nats === 'none';
  return {
    name: flags.name ?? '',
    address,
    dataDir: flags.dataDir,
    ports: { peer: flags.peerPort, client: flags.clientPort, api: flags.apiPort, join: flags.joinPort, metrics: flags.metricsPort === 0 ? null : flags.metricsPort },
    nats: natsNone ? '' : flags.nats,
    // Without a nats-server here, agents are told only what --nats-advertise names explicitly.
    natsAdvertise: (flags.natsAdvertise ?? (natsNone ? '' : `nats://${address.includes(':') ? `[${address}]` : address}:4222`)).split(',').map((url) => url.trim()).filter((url) => url !== ''),
  };
}

/** Drops empty settings (`nats: ''` for --nats none) so the config file only says what is set. */
export function withoutEmpty<T extends Record<string, string | number | boolean | undefined>>(settings: T): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(settings).filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined && entry[1] !== ''));
}

/** `systemctl enable --now UNIT`; throws with systemctl's own words when it fails. */
export function enableSystemdUnit(unit: string): void {
  const result = spawnSync('systemctl', ['enable', '--now', unit], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`systemctl enable --now ${unit} failed: ${(result.stderr || result.error?.message || '').trim()} (is deploy/systemd/${unit} installed in /etc/systemd/system?)`);
}

/** A secret from a file (never from the command line: process listings show arguments). */
export async function readSecretFile(path: string | undefined): Promise<string | null> {
  if (path === undefined) return null;
  const text = (await readFile(path, 'utf8').catch((error: Error) => {
    throw new UsageError(`cannot read ${path}: ${error.message}`);
  })).trim();
  if (text === '') throw new UsageError(`${path} is empty`);
  return text;
}

/** The etcd client endpoint a machine's own server answers on. */
export function localClientEndpoint(address: string, clientPort: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${clientPort}`;
}
