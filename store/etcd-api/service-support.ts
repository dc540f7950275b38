import type { handleUnaryCall, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { Clock, Logger, Timers } from '../../common/index.ts';
import type { EtcdApiLimits } from './api-limits.ts';
import type { EtcdBackend, HeaderInfo } from './backend.ts';
import { encodeHeader } from './encode-kv.ts';
import { toEtcdStatus } from './etcd-errors.ts';
import type { WireResponseHeader } from './wire.ts';

/** What every service's handlers share. */
export interface ServiceContext {
  readonly backend: EtcdBackend;
  readonly logger: Logger;
  readonly limits: EtcdApiLimits;
  readonly clock: Clock;
  readonly timers: Timers;
}

export function wireHeader(context: ServiceContext, header: HeaderInfo): WireResponseHeader {
  return encodeHeader(context.backend.identity(), header, context.backend.localHeader());
}

/**
 * A unary handler: the client's cancellation (or deadline) aborts the backend call through the
 * signal, and whatever the handler throws becomes an etcd status; nothing escapes to grpc-js,
 * so one request can never take the process down.
 */
export function unaryHandler<Request, Response>(
  context: ServiceContext,
  method: string,
  handle: (request: Request, signal: AbortSignal) => Promise<Response>,
): handleUnaryCall<Request, Response> {
  return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => {
    const controller = new AbortController();
    const onCancelled = (): void => controller.abort();
    call.once('cancelled', onCancelled);
    const finish = (): void => {
      call.off('cancelled', onCancelled);
    };
    invoke(handle, call.request, controller.signal).then(
      (response) => {
        finish();
        callback(null, response);
      },
      (error: unknown) => {
        finish();
        callback(toEtcdStatus(error, context.logger, method));
      },
    );
  };
}

/** Runs `handle` so that a synchronous throw also arrives as a rejection. */
async function invoke<Request, Response>(
  handle: (request: Request, signal: AbortSignal) => Promise<Response>,
  request: Request,
  signal: AbortSignal,
): Promise<Response> {
  return handle(request, signal);
}
