import { clusterNameProblem } from './subjects.ts';

/** How a process reaches NATS: servers, credentials, TLS (the same flags for `flotilla server` and `flotilla agent`). */
export interface NatsOptions {
  /** host:port or nats://host:port (tls://host:port with TLS), one or more for a NATS cluster. */
  readonly servers: readonly string[];
  /** Subject prefix `flotilla.<clusterName>`: several Flotilla clusters may share one NATS. */
  readonly clusterName: string;
  readonly user?: string;
  readonly password?: string;
  /** A file holding an NKey seed (SU...): NATS' challenge-response authentication. */
  readonly nkeySeedFile?: string;
  readonly tls?: NatsTlsFiles;
}

export interface NatsTlsFiles {
  /** CA to verify the NATS server with (else the system's). */
  readonly caFile?: string;
  /** Client certificate and key, for servers that verify clients. */
  readonly certFile?: string;
  readonly keyFile?: string;
}

/** The NATS flags as given (strings, unvalidated). */
export interface NatsSettings {
  readonly nats?: string | undefined;
  readonly natsUser?: string | undefined;
  readonly natsPassword?: string | undefined;
  readonly natsNkeySeedFile?: string | undefined;
  readonly natsTlsCa?: string | undefined;
  readonly natsTlsCert?: string | undefined;
  readonly natsTlsKey?: string | undefined;
  readonly clusterName?: string | undefined;
}

export const defaultClusterName = 'flotilla';

const serverPattern = /^((nats|tls):\/\/)?([^\s/:@]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/;

/**
 * Validates NATS flags; each problem names the flag and what to do, and is appended to `problems`.
 * Null when `--nats` is absent (the caller decides whether it is required).
 */
export function parseNatsSettings(settings: NatsSettings, problems: string[]): NatsOptions | null {
  const list = (settings.nats ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const clusterName = (settings.clusterName ?? defaultClusterName).trim();
  const clusterProblem = clusterNameProblem(clusterName);
  if (clusterProblem !== null) problems.push(`--cluster-name: ${clusterProblem}`);
  for (const server of list) {
    if (!serverPattern.test(server)) problems.push(`--nats: expected HOST:PORT or nats://HOST:PORT (comma-separated for a NATS cluster), got "${server}"`);
  }
  const user = nonEmpty(settings.natsUser);
  const password = nonEmpty(settings.natsPassword);
  const seedFile = nonEmpty(settings.natsNkeySeedFile);
  if (password !== undefined && user === undefined) problems.push('--nats-password needs --nats-user');
  if (user !== undefined && seedFile !== undefined) problems.push('use either --nats-user/--nats-password or --nats-nkey-seed-file, not both');
  const tls = { caFile: nonEmpty(settings.natsTlsCa), certFile: nonEmpty(settings.natsTlsCert), keyFile: nonEmpty(settings.natsTlsKey) };
  if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) problems.push('--nats-tls-cert and --nats-tls-key go together (a client certificate needs its key)');
  const anyNatsFlag = user !== undefined || seedFile !== undefined || Object.values(tls).some((value) => value !== undefined);
  if (list.length === 0) {
    if (anyNatsFlag) problems.push('NATS credentials or TLS files were given without --nats URL[,URL]');
    return null;
  }
  const hasTls = Object.values(tls).some((value) => value !== undefined);
  return {
    servers: list,
    clusterName,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    ...(seedFile === undefined ? {} : { nkeySeedFile: seedFile }),
    ...(hasTls ? { tls: withoutUndefined(tls) } : {}),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

function withoutUndefined(files: { caFile: string | undefined; certFile: string | undefined; keyFile: string | undefined }): NatsTlsFiles {
  return {
    ...(files.caFile === undefined ? {} : { caFile: files.caFile }),
    ...(files.certFile === undefined ? {} : { certFile: files.certFile }),
    ...(files.keyFile === undefined ? {} : { keyFile: files.keyFile }),
  };
}
