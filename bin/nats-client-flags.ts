import type { Command } from 'commander';

/**
 * What the long-running NATS clients (`flotilla server`, `agent`, `proxy`) share: the NATS
 * credential flags, and how a stopped process ends.
 */

export interface NatsCredentialFlags {
  readonly natsUser?: string;
  readonly natsPassword?: string;
  readonly natsNkeySeedFile?: string;
  readonly natsTlsCa?: string;
  readonly natsTlsCert?: string;
  readonly natsTlsKey?: string;
}

/** A user and password, or an NKey seed file, and TLS; `process` names whose seed it is in the help. */
export function addNatsCredentialOptions(command: Command, process: 'server' | 'agent' | 'proxy'): Command {
  return command
    .option('--nats-user <user>', 'NATS user (with --nats-password)')
    .option('--nats-password <password>', 'NATS password')
    .option('--nats-nkey-seed-file <file>', `file holding this ${process}'s NATS NKey seed (SU...)`)
    .option('--nats-tls-ca <file>', 'CA certificate to verify the NATS servers with')
    .option('--nats-tls-cert <file>', 'client certificate for NATS (with --nats-tls-key)')
    .option('--nats-tls-key <file>', 'client key for NATS');
}

/** Sets the exit code of a process that stopped (everything closed); a handle some library left open must not keep it alive. */
export function exitWhenStopped(code: number, setExitCode: (code: number) => void): void {
  setExitCode(code);
  setTimeout(() => process.exit(code), 3_000).unref();
}
