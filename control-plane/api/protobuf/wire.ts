/** Protocol buffers wire format: just enough to read Kubernetes' protobuf request bodies. */
export type WireValue =
  | { readonly wireType: 0; readonly value: bigint }
  | { readonly wireType: 1; readonly value: Uint8Array }
  | { readonly wireType: 2; readonly value: Uint8Array }
  | { readonly wireType: 5; readonly value: Uint8Array };

export interface WireField {
  readonly number: number;
  readonly field: WireValue;
}

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

function readVarint(bytes: Uint8Array, offset: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let index = offset; index < bytes.length && shift < 70n; index++) {
    const byte = bytes[index] ?? 0;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: index + 1 };
    shift += 7n;
  }
  throw new ProtobufError('truncated or overlong varint');
}

/** Splits a message into its fields (in order; repeated fields appear several times). */
export function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const tag = readVarint(bytes, offset);
    offset = tag.next;
    const number = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (wireType === 0) {
      const varint = readVarint(bytes, offset);
      offset = varint.next;
      fields.push({ number, field: { wireType: 0, value: varint.value } });
    } else if (wireType === 2) {
      const length = readVarint(bytes, offset);
      const end = length.next + Number(length.value);
      if (end > bytes.length) throw new ProtobufError('length-delimited field runs past the end of the message');
      fields.push({ number, field: { wireType: 2, value: bytes.subarray(length.next, end) } });
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (offset + size > bytes.length) throw new ProtobufError('fixed-size field runs past the end of the message');
      fields.push({ number, field: { wireType, value: bytes.subarray(offset, offset + size) } });
      offset += size;
    } else {
      throw new ProtobufError(`unsupported wire type ${wireType}`);
    }
  }
  return fields;
}
