import type { JsonObject } from '../json.ts';
import type { FieldSchema, ObjectSchema } from '../schema/schema.ts';

/** Converts the compact field descriptions to OpenAPI v3 schemas; named objects become components. */

const sharedComponents: Record<string, JsonObject> = {
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string', description: 'IntOrString is a type that can hold an int32 or a string.' },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', description: 'Quantity is a fixed-point representation of a number, such as "100m" or "1Gi".' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON (RFC 3339).' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
};

function reference(name: string, description: string | undefined): JsonObject {
  const ref: JsonObject = { allOf: [{ $ref: `#/components/schemas/${name}` }] };
  if (description !== undefined) ref['description'] = description;
  return ref;
}

function withDescription(schema: JsonObject, description: string | undefined): JsonObject {
  return description === undefined ? schema : { ...schema, description };
}

export class OpenApiSchemas {
  readonly components: Record<string, JsonObject> = {};

  /** The schema of a field; a named object is registered once and referenced. */
  field(schema: FieldSchema): JsonObject {
    switch (schema.type) {
      case 'string':
        return withDescription({ type: 'string', ...(schema.format === undefined ? {} : { format: schema.format }), ...(schema.enum === undefined ? {} : { enum: [...schema.enum] }) }, schema.description);
      case 'integer':
        return withDescription({ type: 'integer', format: schema.format }, schema.description);
      case 'number':
        return withDescription({ type: 'number', format: 'double' }, schema.description);
      case 'boolean':
        return withDescription({ type: 'boolean' }, schema.description);
      case 'intOrString':
        return this.shared('io.k8s.apimachinery.pkg.util.intstr.IntOrString', schema.description);
      case 'quantity':
        return this.shared('io.k8s.apimachinery.pkg.api.resource.Quantity', schema.description);
      case 'time':
        return this.shared('io.k8s.apimachinery.pkg.apis.meta.v1.Time', schema.description);
      case 'bytes':
        return withDescription({ type: 'string', format: 'byte' }, schema.description);
      case 'any':
        return withDescription({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, schema.description);
      case 'map':
        return withDescription({ type: 'object', additionalProperties: this.field(schema.values) }, schema.description);
      case 'array':
        return withDescription(
          {
            type: 'array',
            // An item's type description is shown once, from its component (kubectl explain prints both levels).
            items: schema.items.type === 'object' && schema.items.name !== undefined ? this.object(schema.items, {}, false) : this.field(schema.items),
            ...(schema.mergeKey === undefined ? {} : { 'x-kubernetes-patch-merge-key': schema.mergeKey }),
            ...(schema.patchStrategy === undefined ? {} : { 'x-kubernetes-patch-strategy': schema.patchStrategy }),
          },
          schema.description,
        );
      case 'object':
        return this.object(schema);
    }
  }

  /** Registers a named object (with extra extensions, e.g. x-kubernetes-group-version-kind) and returns its reference. */
  object(schema: ObjectSchema, extensions: JsonObject = {}, describeReference = true): JsonObject {
    if (schema.name === undefined) return this.inline(schema);
    if (this.components[schema.name] === undefined) {
      this.components[schema.name] = {};
      this.components[schema.name] = { ...this.inline(schema), ...extensions };
    }
    return reference(schema.name, describeReference ? schema.description : undefined);
  }

  private inline(schema: ObjectSchema): JsonObject {
    const properties: JsonObject = {};
    for (const [key, value] of Object.entries(schema.properties)) properties[key] = this.field(value);
    const result: JsonObject = { type: 'object', properties };
    if (schema.description !== undefined) result['description'] = schema.description;
    if (schema.required !== undefined && schema.required.length > 0) result['required'] = [...schema.required];
    return result;
  }

  shared(name: string, description?: string): JsonObject {
    const component = sharedComponents[name];
    if (component !== undefined) this.components[name] = component;
    return reference(name, description);
  }
}
