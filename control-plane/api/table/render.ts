import { asObject, type JsonObject, type JsonValue } from '../json.ts';
import type { ResourceDefinition, TableColumn } from '../registry/resource.ts';
import { errors } from '../status.ts';

/** `includeObject`: what each row carries besides its cells (kubectl needs metadata for -A and --show-labels). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function parseIncludeObject(value: string | null): IncludeObject {
  if (value === null || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'None' || value === 'Object') return value;
  throw errors.badRequest(`includeObject must be None, Metadata or Object, not "${value}"`);
}

const nameColumn: TableColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  priority: 0,
  cell: (object) => asObject(object['metadata'])?.['name'] ?? '',
};

export function tableColumns(definition: ResourceDefinition): readonly TableColumn[] {
  return definition.omitNameColumn ? definition.columns : [nameColumn, ...definition.columns];
}

export function partialObjectMetadata(object: JsonObject): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: asObject(object['metadata']) ?? {} };
}

function rowObject(object: JsonObject, include: IncludeObject): JsonValue {
  if (include === 'None') return null;
  return include === 'Object' ? object : partialObjectMetadata(object);
}

/** A meta.k8s.io/v1 Table, as the server-side printing kubectl relies on. A failing cell prints "<error>" instead of failing the request. */
export function renderTable(
  definition: ResourceDefinition,
  objects: readonly JsonObject[],
  options: { nowMs: number; includeObject: IncludeObject; listMetadata: JsonObject; withColumnDefinitions?: boolean },
): JsonObject {
  const columns = tableColumns(definition);
  const rows = objects.map((object) => {
    const cells = columns.map((column) => {
      try {
        return column.cell(object, options.nowMs);
      } catch {
        return '<error>';
      }
    });
    const row: JsonObject = { cells };
    const included = rowObject(object, options.includeObject);
    if (included !== null) row['object'] = included;
    return row;
  });
  const columnDefinitions = (options.withColumnDefinitions ?? true)
    ? columns.map((column) => ({ name: column.name, type: column.type, format: column.format ?? '', description: column.description, priority: column.priority }))
    : [];
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: options.listMetadata, columnDefinitions, rows };
}
