import type { JsonObject, JsonValue } from '../json.ts';
import { messages, protobufKinds, type ProtoField } from './kubernetes-messages.ts';
import { ProtobufError, readFields, type WireValue } from './wire.ts';

/** Kubernetes' protobuf envelope: the bytes "k8s\0" then a runtime.Unknown {typeMeta, raw, contentEncoding, contentType}. */
const magic = [0x6b, 0x38, 0x73, 0x00];
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Named limit: message nesting followed while decoding. */
const protobufDepthMax = 32;

export function decodeKubernetesProtobuf(body: Uint8Array): JsonObject {
  if (body.length < magic.length || magic.some((byte, index) => body[index] !== byte)) throw new ProtobufError('the body does not start with the Kubernetes protobuf prefix "k8s\\0"');
  const unknown = readFields(body.subarray(magic.length));
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array | undefined;
  for (const { number, field } of unknown) {
    if (number === 1 && field.wireType === 2) {
      for (const typeMeta of readFields(field.value)) {
        if (typeMeta.field.wireType !== 2) continue;
        if (typeMeta.number === 1) apiVersion = decoder.decode(typeMeta.field.value);
        if (typeMeta.number === 2) kind = decoder.decode(typeMeta.field.value);
      }
    } else if (number === 2 && field.wireType === 2) raw = field.value;
  }
  if (!protobufKinds.has(kind)) throw new ProtobufError(`protobuf bodies are supported for ${[...protobufKinds].join(', ')} only, not "${kind}"`);
  const object = decodeMessage(kind, raw ?? new Uint8Array(0), 0);
  return { apiVersion, kind, ...object };
}

function decodeMessage(name: string, bytes: Uint8Array, depth: number): JsonObject {
  if (depth > protobufDepthMax) throw new ProtobufError('protobuf message nested too deeply');
  // Messages kubectl sends without content we use (status, empty security contexts): skipped whole.
  if (name === 'Empty') return {};
  const table = messages[name] ?? {};
  const result: JsonObject = {};
  for (const { number, field } of readFields(bytes)) {
    const description = table[number];
    if (description === undefined) throw new ProtobufError(`field ${number} of ${name} is not supported in protobuf bodies; send the object as JSON`);
    if (description.map === true) {
      const entries = (result[description.name] ??= {}) as JsonObject;
      const [key, value] = decodeMapEntry(description, field, depth);
      entries[key] = value;
    } else if (description.repeated === true) {
      const list = (result[description.name] ??= []) as JsonValue[];
      list.push(decodeScalar(description, field, depth));
    } else {
      const value = decodeScalar(description, field, depth);
      // Go encodes non-pointer fields even when zero; JSON (omitempty) would not carry them.
      if (description.pointer === true || !isZero(value)) result[description.name] = value;
    }
  }
  return result;
}

function isZero(value: JsonValue): boolean {
  return value === '' || value === 0 || value === false || value === null;
}

function decodeMapEntry(description: ProtoField, field: WireValue, depth: number): [string, JsonValue] {
  if (field.wireType !== 2) throw new ProtobufError(`map ${description.name} entry is not length-delimited`);
  let key = '';
  let value: JsonValue = description.type === 'bytes' || description.type === 'string' || description.type === 'quantity' ? '' : null;
  for (const entry of readFields(field.value)) {
    if (entry.number === 1 && entry.field.wireType === 2) key = decoder.decode(entry.field.value);
    if (entry.number === 2) value = decodeScalar(description, entry.field, depth);
  }
  return [key, value];
}

function decodeScalar(description: ProtoField, field: WireValue, depth: number): JsonValue {
  const type = description.type;
  if (typeof type === 'object') return decodeMessage(type.message, lengthDelimited(description, field), depth + 1);
  switch (type) {
    case 'string':
      return decoder.decode(lengthDelimited(description, field));
    case 'bytes':
      return Buffer.from(lengthDelimited(description, field)).toString('base64');
    case 'bool':
      return varint(description, field) !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, varint(description, field)));
    case 'int64':
      return Number(BigInt.asIntN(64, varint(description, field)));
    case 'quantity':
      return stringField(lengthDelimited(description, field), 1);
    case 'time':
      return decodeTime(lengthDelimited(description, field));
    case 'intOrString':
      return decodeIntOrString(lengthDelimited(description, field));
  }
}

function lengthDelimited(description: ProtoField, field: WireValue): Uint8Array {
  if (field.wireType !== 2) throw new ProtobufError(`field ${description.name} should be length-delimited`);
  return field.value;
}

function varint(description: ProtoField, field: WireValue): bigint {
  if (field.wireType !== 0) throw new ProtobufError(`field ${description.name} should be a varint`);
  return field.value;
}

function stringField(bytes: Uint8Array, number: number): string {
  for (const item of readFields(bytes)) if (item.number === number && item.field.wireType === 2) return decoder.decode(item.field.value);
  return '';
}

/** A zero Time is Go's "unset" (null in JSON). */
function decodeTime(bytes: Uint8Array): string | null {
  let seconds = 0;
  for (const item of readFields(bytes)) if (item.number === 1 && item.field.wireType === 0) seconds = Number(item.field.value);
  return seconds === 0 ? null : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** intstr.IntOrString: {1: type (0 int, 1 string), 2: intVal, 3: strVal}. */
function decodeIntOrString(bytes: Uint8Array): JsonValue {
  const fields = readFields(bytes);
  const type = fields.find((item) => item.number === 1);
  if (type?.field.wireType === 0 && type.field.value === 1n) return stringField(bytes, 3);
  const intValue = fields.find((item) => item.number === 2);
  return intValue?.field.wireType === 0 ? Number(BigInt.asIntN(32, intValue.field.value)) : 0;
}
