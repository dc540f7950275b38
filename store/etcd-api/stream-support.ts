import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { EtcdStatus } from './etcd-errors.ts';

/**
 * Ends a server stream with a status. grpc-js turns an 'error' event on a server stream into the
 * call's final status (code and details), so this is how a bidi handler reports failure.
 */
export function endStreamWithStatus<Request, Response>(
  call: ServerDuplexStream<Request, Response>,
  status: EtcdStatus,
): void {
  const error = Object.assign(new Error(status.details), { code: status.code, details: status.details });
  call.emit('error', error);
}

/** True once the call can no longer be written to (ended by us, cancelled or gone). */
export function isStreamClosed<Request, Response>(call: ServerDuplexStream<Request, Response>): boolean {
  return call.cancelled || call.destroyed || call.writableEnded;
}
