import { once } from 'node:events';
import type { handleServerStreamingCall, ServerWritableStream } from '@grpc/grpc-js';
import { EtcdRequestError, toEtcdStatus } from './etcd-errors.ts';
import { wireHeader, type ServiceContext } from './service-support.ts';

/**
 * Bytes per SnapshotResponse: well under every gRPC client's default receive limit (4 MiB), and
 * small enough that a slow reader holds at most one blob in our write buffer (we wait for drain).
 */
export const snapshotBlobBytesMax = 256 * 1024;

interface WireSnapshotResponse {
  readonly header: ReturnType<typeof wireHeader>;
  readonly remaining_bytes: number;
  readonly blob: Buffer;
}

/**
 * Maintenance.Snapshot: the backend's snapshot stream, cut into blobs, written at the pace the
 * client reads (each write waits for the stream to drain). The total size is not known up front,
 * so `remaining_bytes` is 0 throughout (etcdctl only reads until the end of the stream).
 */
export function snapshotHandler(context: ServiceContext): handleServerStreamingCall<object, WireSnapshotResponse> {
  return (call: ServerWritableStream<object, WireSnapshotResponse>) => {
    const controller = new AbortController();
    call.once('cancelled', () => controller.abort());
    streamSnapshot(context, call, controller.signal).then(
      () => call.end(),
      (error: unknown) => {
        if (call.cancelled) return;
        const status = toEtcdStatus(error, context.logger, 'Snapshot');
        call.emit('error', Object.assign(new Error(status.details), { code: status.code, details: status.details }));
      },
    );
  };
}

async function streamSnapshot(context: ServiceContext, call: ServerWritableStream<object, WireSnapshotResponse>, signal: AbortSignal): Promise<void> {
  const { backend } = context;
  if (backend.snapshot === undefined) throw new EtcdRequestError('unsupported', 'snapshots of this backend');
  const stream = await backend.snapshot({ signal });
  // A stream read to its end has closed its LevelDB snapshot itself; one left early must be closed here.
  let finished = false;
  try {
    for await (const chunk of stream) {
      for (let offset = 0; offset < chunk.byteLength; offset += snapshotBlobBytesMax) {
        signal.throwIfAborted();
        const blob = Buffer.from(chunk.buffer, chunk.byteOffset + offset, Math.min(snapshotBlobBytesMax, chunk.byteLength - offset));
        const response = { header: wireHeader(context, { revision: stream.meta.revision }), remaining_bytes: 0, blob };
        if (!call.write(response)) await once(call, 'drain', { signal });
      }
    }
    finished = true;
  } finally {
    if (!finished) await stream.close();
  }
}
