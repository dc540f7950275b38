import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf } from '../../control-plane/api/protobuf/decode.ts';
import { ProtobufError } from '../../control-plane/api/protobuf/wire.ts';

/** Builds protobuf bytes by hand: enough to check the decoder's wire handling. */
function lengthDelimited(field: number, payload: Uint8Array): number[] {
  return [(field << 3) | 2, payload.length, ...payload];
}
const text = (value: string) => new TextEncoder().encode(value);

function envelope(apiVersion: string, kind: string, raw: number[]): Uint8Array {
  const typeMeta = [...lengthDelimited(1, text(apiVersion)), ...lengthDelimited(2, text(kind))];
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...lengthDelimited(1, new Uint8Array(typeMeta)), ...lengthDelimited(2, new Uint8Array(raw))]);
}

describe('Kubernetes protobuf bodies', () => {
  it('decodes a ConfigMap with metadata, a data map and a pointer bool', () => {
    const metadata = [...lengthDelimited(1, text('cfg')), ...lengthDelimited(2, text(''))];
    const entry = [...lengthDelimited(1, text('k')), ...lengthDelimited(2, text('v'))];
    const raw = [...lengthDelimited(1, new Uint8Array(metadata)), ...lengthDelimited(2, new Uint8Array(entry)), (4 << 3) | 0, 0];
    expect(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw))).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { k: 'v' }, immutable: false });
  });

  it('refuses other kinds, unknown fields and truncated input with a ProtobufError', () => {
    expect(() => decodeKubernetesProtobuf(envelope('v1', 'Pod', []))).toThrow(ProtobufError);
    expect(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', [(9 << 3) | 0, 1]))).toThrow(/field 9 of ConfigMap/);
    expect(() => decodeKubernetesProtobuf(new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x7f]))).toThrow(ProtobufError);
    expect(() => decodeKubernetesProtobuf(text('{"json": true}'))).toThrow(ProtobufError);
  });
});
