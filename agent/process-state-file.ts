import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.ts';
import type { ResourceRequirements } from './pod-types.ts';
import type { ExitInfo, PortMapping } from './runtime.ts';

/** Bump when the record's shape changes; older records are read by migrating, never guessed at. */
export const stateFileVersion = 1;

/**
 * What the runtime persists per container so that a restarted agent can re-adopt it: the identity
 * of the process (pid + start time), its environment for exec (mode 0600: it may hold secrets), and
 * its exit once known.
 */
export interface ContainerStateFile {
  readonly version: typeof stateFileVersion;
  readonly podUid: string;
  readonly containerName: string;
  readonly instance: number;
  readonly pid: number;
  readonly startTicks: string;
  readonly startedAtMs: number;
  readonly ports: readonly PortMapping[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly exit?: ExitInfo;
  // Optional fields (records of older agents lack them, which means "none"):
  /** Root mode or OCI: this instance's cgroup directories (limits, OOM counter, cleanup). */
  readonly cgroups?: readonly string[];
  /** Root mode: it runs in its own mount namespace (exec enters it through the wrapper's pid). */
  readonly mountNamespace?: boolean;
  /** The pid reported and measured (its process group): the OCI container's init; else `pid`. */
  readonly containerPid?: number;
  /** The requests and limits its cgroup enforces. */
  readonly resources?: ResourceRequirements;
  readonly imageID?: string;
  /** OCI: what the OCI runtime knows it by, and its bundle. */
  readonly oci?: OciRecord;
}

export interface OciRecord {
  /** The OCI runtime's container id. */
  readonly id: string;
  /** crun or runc (absolute), and the `--root` state directory it was given. */
  readonly binary: string;
  readonly stateRoot: string;
  readonly bundle: string;
  /** The overlay mount point (unmounted once the instance exited). */
  readonly rootfs: string;
  /** The image's STOPSIGNAL, sent instead of SIGTERM. */
  readonly stopSignal?: string;
}

export async function writeStateFile(path: string, record: ContainerStateFile): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(record)}\n`);
}

export async function readStateFile(path: string): Promise<ContainerStateFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ContainerStateFile>;
    if (parsed.version !== stateFileVersion || typeof parsed.pid !== 'number' || typeof parsed.instance !== 'number') return undefined;
    return parsed as ContainerStateFile;
  } catch {
    return undefined;
  }
}

/** The exit code the wrapper shell wrote, and when, or undefined if it never got to write it. */
export async function readExitFile(path: string): Promise<{ exitCode: number; writtenAtMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const exitCode = Number.parseInt(text.trim(), 10);
    return Number.isInteger(exitCode) ? { exitCode, writtenAtMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}
