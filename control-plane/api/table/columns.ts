import { asArray, asObject, asString, getPath, type JsonObject, type JsonValue } from '../json.ts';
import type { TableColumn } from '../registry/resource.ts';
import { ageOf } from './human-duration.ts';

/** Column builders shared by the kind declarations. */

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: (object, nowMs) => ageOf(getPath(object, ['metadata', 'creationTimestamp']), nowMs),
};

export function column(
  name: string,
  description: string,
  cell: (object: JsonObject, nowMs: number) => JsonValue,
  options: { type?: TableColumn['type']; priority?: 0 | 1 } = {},
): TableColumn {
  return { name, type: options.type ?? 'string', description, priority: options.priority ?? 0, cell };
}

export function wide(name: string, description: string, cell: (object: JsonObject) => JsonValue): TableColumn {
  return column(name, description, cell, { priority: 1 });
}

export function numberAt(object: JsonObject, path: readonly string[]): number {
  const value = getPath(object, path);
  return typeof value === 'number' ? value : 0;
}

export function stringAt(object: JsonObject, path: readonly string[]): string {
  return asString(getPath(object, path)) ?? '';
}

/** "a=b,c=d" as kubectl prints a selector map ("<none>" when empty). */
export function formatSelectorMap(selector: JsonValue | undefined): string {
  const entries = Object.entries(asObject(selector) ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([key, value]) => `${key}=${asString(value) ?? ''}`).join(',');
}

/** Container names and images of a pod template, comma-separated (Deployment/ReplicaSet wide columns). */
export function containerField(object: JsonObject, specPath: readonly string[], field: 'name' | 'image'): string {
  return asArray(getPath(object, [...specPath, 'containers']))
    .map((container) => asString(asObject(container)?.[field]) ?? '')
    .join(',');
}
