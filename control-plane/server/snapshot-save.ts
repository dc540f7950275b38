import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { EtcdWireClient, SnapshotVerifier, type VerifiedSnapshot } from '../../store/index.ts';

interface WireSnapshotResponse {
  readonly blob: Buffer;
}

export interface SnapshotSaveRequest {
  readonly file: string;
  /** Client endpoints (HOST:PORT); the first that answers is used. */
  readonly endpoints: readonly string[];
  /** For the whole download. */
  readonly timeoutMs: number;
}

export interface SavedSnapshot extends VerifiedSnapshot {
  readonly endpoint: string;
}

/**
 * `flotilla snapshot save`: streams Maintenance.Snapshot from one member into `<file>.partial`,
 * verifying the store's checksum while the bytes arrive, then fsyncs and renames it into place —
 * a damaged or cut download never takes the name of a good backup. The member serves it after a
 * ReadIndex, so it holds every write acknowledged before the save began.
 */
export async function saveSnapshot(request: SnapshotSaveRequest): Promise<SavedSnapshot> {
  const failures: string[] = [];
  for (const endpoint of request.endpoints) {
    try {
      return { ...(await saveFrom(endpoint, request)), endpoint };
    } catch (error) {
      failures.push(`${endpoint}: ${describeError(error)}`);
    }
  }
  throw new Error(`no member gave a snapshot:\n${failures.map((line) => `  ${line}`).join('\n')}`);
}

async function saveFrom(endpoint: string, request: SnapshotSaveRequest): Promise<VerifiedSnapshot> {
  const partial = `${request.file}.partial`;
  const client = new EtcdWireClient(endpoint);
  const file = await open(partial, 'w', 0o600);
  const verifier = new SnapshotVerifier();
  let saved: VerifiedSnapshot;
  try {
    const signal = AbortSignal.timeout(request.timeoutMs);
    for await (const response of client.serverStream<WireSnapshotResponse>('Maintenance', 'Snapshot', {}, signal)) {
      verifier.push(response.blob);
      await file.write(response.blob);
    }
    saved = verifier.finish();
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(partial, { force: true });
    throw error;
  } finally {
    client.close();
  }
  await file.close();
  await rename(partial, request.file);
  return saved;
}

/** `flotilla snapshot status`: verifies a saved file end to end. */
export async function inspectSnapshotFile(file: string): Promise<VerifiedSnapshot> {
  const verifier = new SnapshotVerifier();
  for await (const chunk of createReadStream(file)) verifier.push(chunk as Buffer);
  return verifier.finish();
}

export function describeSnapshot(file: string, snapshot: VerifiedSnapshot): string {
  return [
    `  file            ${file}`,
    `  revision        ${snapshot.meta.revision} (compacted up to ${snapshot.meta.compactRevision})`,
    `  raft index      ${snapshot.meta.appliedIndex} (term ${snapshot.meta.appliedTerm})`,
    `  records         ${snapshot.records} key revisions, ${snapshot.leases} leases`,
    `  size            ${snapshot.sizeBytes} bytes`,
    `  sha256          ${snapshot.fileSha256}`,
    '',
  ].join('\n');
}

function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'details' in error && typeof error.details === 'string' && error.details !== '') return error.details;
  return error instanceof Error ? error.message : String(error);
}
