import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { decodeDeleteRange, decodePut, decodeRange, decodeTxn } from './decode-kv.ts';
import { encodeDeleteRange, encodePut, encodeRange, encodeTxn } from './encode-kv.ts';
import { int64ToNumber } from './numbers.ts';
import { requestBytesOf } from './proto.ts';
import { unaryHandler, wireHeader, type ServiceContext } from './service-support.ts';
import { checkDeleteRange, checkPut, checkRange, checkRequestBytes, checkTxn } from './validate-kv.ts';
import type {
  WireCompactionRequest,
  WireDeleteRangeRequest,
  WirePutRequest,
  WireRangeRequest,
  WireTxnRequest,
} from './wire.ts';

/** etcdserverpb.KV: decode, check as etcd does, call the backend, encode. */
export function kvService(context: ServiceContext): UntypedServiceImplementation {
  const { backend, limits } = context;
  return {
    Range: unaryHandler(context, 'Range', async (wire: WireRangeRequest, signal) => {
      const request = decodeRange(wire);
      checkRange(request);
      const response = await backend.range(request, { serializable: wire.serializable, signal });
      return encodeRange(wireHeader(context, response.header), response);
    }),
    Put: unaryHandler(context, 'Put', async (wire: WirePutRequest, signal) => {
      const request = decodePut(wire);
      checkPut(request, limits);
      checkRequestBytes(requestBytesOf(wire), limits);
      const response = await backend.put(request, { signal });
      return encodePut(wireHeader(context, response.header), response);
    }),
    DeleteRange: unaryHandler(context, 'DeleteRange', async (wire: WireDeleteRangeRequest, signal) => {
      const request = decodeDeleteRange(wire);
      checkDeleteRange(request);
      checkRequestBytes(requestBytesOf(wire), limits);
      const response = await backend.deleteRange(request, { signal });
      return encodeDeleteRange(wireHeader(context, response.header), response);
    }),
    Txn: unaryHandler(context, 'Txn', async (wire: WireTxnRequest, signal) => {
      const request = decodeTxn(wire);
      checkTxn(request, limits);
      checkRequestBytes(requestBytesOf(wire), limits);
      const response = await backend.txn(request, { signal });
      return encodeTxn(wireHeader(context, response.header), response);
    }),
    Compact: unaryHandler(context, 'Compact', async (wire: WireCompactionRequest, signal) => {
      const request = { revision: int64ToNumber(wire.revision), physical: wire.physical };
      const response = await backend.compact(request, { signal });
      return { header: wireHeader(context, response.header) };
    }),
  };
}
