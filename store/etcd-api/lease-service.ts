import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { EtcdRequestError, isLeaseNotFound, toEtcdStatus } from './etcd-errors.ts';
import { int64ToNumber, leaseIdFromWire, leaseIdMax } from './numbers.ts';
import { unaryHandler, wireHeader, type ServiceContext } from './service-support.ts';
import { endStreamWithStatus, isStreamClosed } from './stream-support.ts';
import type { WireLeaseGrantRequest, WireLeaseIdRequest, WireLeaseTimeToLiveRequest } from './wire.ts';

/** etcd's MaxLeaseTTL: 9e9 seconds; a longer grant is refused with "too large lease TTL". */
const leaseTtlSecondsMax = 9_000_000_000;

/** etcdserverpb.Lease. Lease IDs on the wire are int64 strings; ours fit in [1, 2^53). */
export function leaseService(context: ServiceContext): UntypedServiceImplementation {
  const { backend } = context;
  return {
    LeaseGrant: unaryHandler(context, 'LeaseGrant', async (wire: WireLeaseGrantRequest, signal) => {
      const ttlSeconds = int64ToNumber(wire.TTL);
      if (ttlSeconds > leaseTtlSecondsMax) throw new EtcdRequestError('leaseTtlTooLarge');
      const id = BigInt(wire.ID) === 0n ? 0 : leaseIdFromWire(wire.ID);
      if (id === null) {
        throw new EtcdRequestError('malformedRequest', `a chosen lease ID must be in [1, ${leaseIdMax}]`);
      }
      const response = await backend.leaseGrant({ ttlSeconds, id }, { signal });
      return { header: wireHeader(context, response.header), ID: response.id, TTL: response.ttlSeconds, error: '' };
    }),
    LeaseRevoke: unaryHandler(context, 'LeaseRevoke', async (wire: WireLeaseIdRequest, signal) => {
      const id = leaseIdFromWire(wire.ID);
      if (id === null) throw new EtcdRequestError('leaseNotFound');
      return { header: wireHeader(context, await backend.leaseRevoke(id, { signal })) };
    }),
    LeaseTimeToLive: unaryHandler(context, 'LeaseTimeToLive', async (wire: WireLeaseTimeToLiveRequest, signal) => {
      // etcd answers an unknown lease in-band with TTL -1 (etcdctl prints "already expired").
      const notFound = { header: wireHeader(context, backend.localHeader()), ID: wire.ID, TTL: -1, grantedTTL: 0, keys: [] };
      const id = leaseIdFromWire(wire.ID);
      if (id === null) return notFound;
      try {
        const response = await backend.leaseTimeToLive(id, wire.keys, { signal });
        return {
          header: wireHeader(context, response.header),
          ID: response.id,
          TTL: response.ttlSeconds,
          grantedTTL: response.grantedTtlSeconds,
          keys: response.keys,
        };
      } catch (error) {
        if (isLeaseNotFound(error)) return notFound;
        throw error;
      }
    }),
    LeaseLeases: unaryHandler(context, 'LeaseLeases', async (_wire: object, signal) => {
      const response = await backend.leaseLeases({ signal });
      return { header: wireHeader(context, response.header), leases: response.ids.map((id) => ({ ID: id })) };
    }),
    LeaseKeepAlive: (call: ServerDuplexStream<WireLeaseIdRequest, unknown>) => serveKeepAlives(context, call),
  };
}

/**
 * One LeaseKeepAlive stream: requests are answered one at a time, in order, as etcd does. An
 * unknown lease is answered with TTL 0 (clients treat it as lost); any other failure ends the
 * stream with its status. Requests beyond `keepAlivePendingMax` unanswered end it too.
 */
function serveKeepAlives(context: ServiceContext, call: ServerDuplexStream<WireLeaseIdRequest, unknown>): void {
  const controller = new AbortController();
  let pending = 0;
  let queue: Promise<void> = Promise.resolve();
  const fail = (error: unknown): void => {
    if (isStreamClosed(call)) return;
    controller.abort();
    endStreamWithStatus(call, toEtcdStatus(error, context.logger, 'LeaseKeepAlive'));
  };
  call.on('data', (wire: WireLeaseIdRequest) => {
    if (pending >= context.limits.keepAlivePendingMax) {
      fail(new EtcdRequestError('tooManyRequests', 'keep-alive requests are not being read'));
      return;
    }
    pending += 1;
    queue = queue
      .then(() => answerKeepAlive(context, call, wire, controller.signal))
      .catch(fail)
      .finally(() => {
        pending -= 1;
      });
  });
  call.on('end', () => {
    void queue.then(() => {
      if (!isStreamClosed(call)) call.end();
    });
  });
  call.on('cancelled', () => controller.abort());
}

async function answerKeepAlive(
  context: ServiceContext,
  call: ServerDuplexStream<WireLeaseIdRequest, unknown>,
  wire: WireLeaseIdRequest,
  signal: AbortSignal,
): Promise<void> {
  if (isStreamClosed(call)) return;
  const id = leaseIdFromWire(wire.ID);
  let response: { header: unknown; ID: string | number; TTL: number };
  try {
    if (id === null) throw new EtcdRequestError('leaseNotFound');
    const renewed = await context.backend.leaseKeepAlive(id, { signal });
    response = { header: wireHeader(context, renewed.header), ID: renewed.id, TTL: renewed.ttlSeconds };
  } catch (error) {
    if (!isLeaseNotFound(error)) throw error;
    response = { header: wireHeader(context, context.backend.localHeader()), ID: wire.ID, TTL: 0 };
  }
  if (!isStreamClosed(call)) call.write(response);
}
