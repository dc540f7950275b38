import { isJsonObject, type JsonObject } from '../../api/json.ts';
import { protocolVersion } from './messages.ts';

/** A message that does not have the shape of the protocol (or another version of it). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code = 'NATS_PROTOCOL';
}

/**
 * Reads the fields of one decoded message, checking each type as it goes; the first wrong field
 * throws a ProtocolError naming it (`pods.status: updates[3].uid must be a string`), so a broken
 * or foreign sender is told exactly what is wrong.
 */
export class Fields {
  private constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}

  /** The top level of a message: an object whose `version` this side speaks. */
  static message(value: unknown, what: string): Fields {
    if (!isRecord(value)) throw new ProtocolError(`${what}: expected a msgpack map, got ${describe(value)}`);
    const version = value['version'];
    if (version !== protocolVersion) {
      throw new ProtocolError(`${what}: protocol version ${String(version)} is not spoken here (this side speaks ${protocolVersion}); upgrade the older side`);
    }
    return new Fields(value, what);
  }

  static nested(value: unknown, path: string): Fields {
    if (!isRecord(value)) throw new ProtocolError(`${path} must be a map, got ${describe(value)}`);
    return new Fields(value, path);
  }

  string(key: string): string {
    const value = this.value[key];
    if (typeof value !== 'string') throw this.wrong(key, 'a string');
    return value;
  }

  integer(key: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.value[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw this.wrong(key, `a whole number from ${min} to ${max}`);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.value[key];
    if (typeof value !== 'boolean') throw this.wrong(key, 'true or false');
    return value;
  }

  bytes(key: string): Uint8Array {
    const value = this.value[key];
    if (!(value instanceof Uint8Array)) throw this.wrong(key, 'binary data');
    return value;
  }

  object(key: string): JsonObject {
    const value = this.value[key];
    if (!isJsonObject(value)) throw this.wrong(key, 'a map');
    return value;
  }

  oneOf<const T extends string>(key: string, values: readonly T[]): T {
    const value = this.value[key];
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) throw this.wrong(key, `one of ${values.join(', ')}`);
    return value as T;
  }

  stringMap(key: string): Record<string, string> {
    const map = this.object(key);
    for (const [entry, value] of Object.entries(map)) if (typeof value !== 'string') throw this.wrong(`${key}.${entry}`, 'a string');
    return map as Record<string, string>;
  }

  numberMap(key: string): Record<string, number> {
    const map = this.object(key);
    for (const [entry, value] of Object.entries(map)) if (typeof value !== 'number') throw this.wrong(`${key}.${entry}`, 'a number');
    return map as Record<string, number>;
  }

  strings(key: string, max: number): string[] {
    return this.list(key, max, (item, path) => {
      if (typeof item !== 'string') throw new ProtocolError(`${path} must be a string, got ${describe(item)}`);
      return item;
    });
  }

  objects(key: string, max: number): JsonObject[] {
    return this.list(key, max, (item, path) => {
      if (!isJsonObject(item)) throw new ProtocolError(`${path} must be a map, got ${describe(item)}`);
      return item;
    });
  }

  /** A bounded list; `read` gets each element and its path for messages. */
  list<T>(key: string, max: number, read: (item: unknown, path: string) => T): T[] {
    const value = this.value[key];
    if (!Array.isArray(value)) throw this.wrong(key, 'a list');
    if (value.length > max) throw new ProtocolError(`${this.path}: ${key} has ${value.length} entries; at most ${max} are allowed`);
    return value.map((item: unknown, index) => read(item, `${this.path}: ${key}[${index}]`));
  }

  private wrong(key: string, expected: string): ProtocolError {
    return new ProtocolError(`${this.path}: ${key} must be ${expected}, got ${describe(this.value[key])}`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  return typeof value === 'string' ? `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"` : typeof value;
}
