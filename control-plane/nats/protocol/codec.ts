import { decode, encode } from '../../../common/index.ts';
import { ProtocolLimits } from './limits.ts';
import { protocolVersion, type ProtocolFailure } from './messages.ts';
import { Fields, ProtocolError } from './shape.ts';

/** Encodes a message with common/'s msgpack codec; one over `messageBytesMax` is a sender bug, refused here. */
export function encodeMessage(message: object): Uint8Array {
  const bytes = encode(message);
  if (bytes.length > ProtocolLimits.messageBytesMax) {
    throw new ProtocolError(`a message of ${bytes.length} bytes is over the protocol's ${ProtocolLimits.messageBytesMax}; send it in smaller batches`);
  }
  return bytes;
}

/** Decodes bytes into the top-level fields of a message of this protocol version. */
export function decodeFields(bytes: Uint8Array, what: string): Fields {
  let value: unknown;
  try {
    value = decode<unknown>(bytes);
  } catch (error) {
    throw new ProtocolError(`${what}: not msgpack (${(error as Error).message})`);
  }
  return Fields.message(value, what);
}

export function okReply<Result extends object>(result: Result): Uint8Array {
  return encodeMessage({ version: protocolVersion, ok: true, ...result });
}

export function failureReply(failure: ProtocolFailure): Uint8Array {
  return encodeMessage({ version: protocolVersion, ok: false, error: failure });
}

/** A decoded answer: the success's result, or the failure. */
export type DecodedReply<Result> = { readonly ok: true; readonly result: Result } | { readonly ok: false; readonly error: ProtocolFailure };

/** Decodes an answer (wire shape `Reply`): `readResult` reads the fields of a success. */
export function decodeReply<Result>(bytes: Uint8Array, what: string, readResult: (fields: Fields) => Result): DecodedReply<Result> {
  const fields = decodeFields(bytes, what);
  if (fields.boolean('ok')) return { ok: true, result: readResult(fields) };
  const error = Fields.nested(fields.object('error'), `${what}: error`);
  return { ok: false, error: { code: error.integer('code', 100, 599), reason: error.string('reason'), message: error.string('message') } };
}
