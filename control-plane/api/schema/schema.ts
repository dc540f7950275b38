/**
 * A compact description of a kind's fields. One description drives four things, so they cannot
 * disagree: unknown-field and type checks (fieldValidation), strategic-merge-patch list keys,
 * the OpenAPI documents (kubectl's validation and `kubectl explain`) and defaults for `explain`.
 */
export type FieldSchema =
  | { readonly type: 'string'; readonly description?: string; readonly enum?: readonly string[]; readonly format?: string }
  | { readonly type: 'integer'; readonly description?: string; readonly format: 'int32' | 'int64' }
  | { readonly type: 'number'; readonly description?: string }
  | { readonly type: 'boolean'; readonly description?: string }
  /** A number or a string (`intstr.IntOrString`). */
  | { readonly type: 'intOrString'; readonly description?: string }
  /** `resource.Quantity`: a string like "100m" or a number. */
  | { readonly type: 'quantity'; readonly description?: string }
  /** RFC 3339 time (`metav1.Time`, `metav1.MicroTime`), may be null. */
  | { readonly type: 'time'; readonly description?: string }
  /** Base64 bytes. */
  | { readonly type: 'bytes'; readonly description?: string }
  /** Anything: not checked (the field is described but not modelled yet). */
  | { readonly type: 'any'; readonly description?: string }
  | ObjectSchema
  | { readonly type: 'map'; readonly description?: string; readonly values: FieldSchema }
  | ArraySchema;

export interface ObjectSchema {
  readonly type: 'object';
  /** The OpenAPI definition name (`io.k8s.api.core.v1.Container`) for shared types. */
  readonly name?: string;
  readonly description?: string;
  readonly properties: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
}

export interface ArraySchema {
  readonly type: 'array';
  readonly description?: string;
  readonly items: FieldSchema;
  /** Strategic merge patch: elements are merged by this key (`x-kubernetes-patch-merge-key`). */
  readonly mergeKey?: string;
  /** Strategic merge patch strategy; a primitive list with 'merge' is a set union. */
  readonly patchStrategy?: 'merge' | 'replace';
}

type Described = { description?: string };

function described<T extends object>(base: T, description: string | undefined): T & Described {
  return description === undefined ? base : { ...base, description };
}

/** Builders: `s.object('io.k8s...Container', 'A container.', { name: s.string('Its name.') })`. */
export const s = {
  string: (description?: string, options: { enum?: readonly string[]; format?: string } = {}): FieldSchema =>
    described({ type: 'string' as const, ...options }, description),
  int32: (description?: string): FieldSchema => described({ type: 'integer' as const, format: 'int32' as const }, description),
  int64: (description?: string): FieldSchema => described({ type: 'integer' as const, format: 'int64' as const }, description),
  number: (description?: string): FieldSchema => described({ type: 'number' as const }, description),
  boolean: (description?: string): FieldSchema => described({ type: 'boolean' as const }, description),
  intOrString: (description?: string): FieldSchema => described({ type: 'intOrString' as const }, description),
  quantity: (description?: string): FieldSchema => described({ type: 'quantity' as const }, description),
  time: (description?: string): FieldSchema => described({ type: 'time' as const }, description),
  bytes: (description?: string): FieldSchema => described({ type: 'bytes' as const }, description),
  any: (description?: string): FieldSchema => described({ type: 'any' as const }, description),
  map: (values: FieldSchema, description?: string): FieldSchema => described({ type: 'map' as const, values }, description),
  stringMap: (description?: string): FieldSchema => described({ type: 'map' as const, values: { type: 'string' as const } }, description),
  array: (items: FieldSchema, description?: string, patch: { mergeKey?: string; patchStrategy?: 'merge' | 'replace' } = {}): ArraySchema =>
    described({ type: 'array' as const, items, ...patch }, description),
  /** A list merged by `mergeKey` under strategic merge patch (containers by name, ports by containerPort…). */
  keyedList: (items: FieldSchema, mergeKey: string, description?: string): ArraySchema =>
    described({ type: 'array' as const, items, mergeKey, patchStrategy: 'merge' as const }, description),
  object: (name: string | undefined, description: string | undefined, properties: Record<string, FieldSchema>, required?: readonly string[]): ObjectSchema => ({
    type: 'object',
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    properties,
    ...(required === undefined ? {} : { required }),
  }),
} as const;

/** The schema of `key` under an object or map schema, as strategic merge patch and the checks walk it. */
export function childSchema(schema: FieldSchema | undefined, key: string): FieldSchema | undefined {
  if (schema === undefined) return undefined;
  if (schema.type === 'object') return schema.properties[key];
  if (schema.type === 'map') return schema.values;
  return undefined;
}

export function itemSchema(schema: FieldSchema | undefined): FieldSchema | undefined {
  return schema?.type === 'array' ? schema.items : undefined;
}
