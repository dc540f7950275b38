import { asArray, asString, getPath, type JsonObject } from '../../json.ts';
import { s } from '../../schema/schema.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';

/** Pieces shared by PersistentVolume and PersistentVolumeClaim. */

export const accessModes = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'] as const;
const accessModeShort: Readonly<Record<string, string>> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

export const accessModesSchema = s.array(s.string(undefined, { enum: accessModes }), 'accessModes contains the desired access modes the volume should have.');

/** kubectl's ACCESS MODES cell: "RWO,ROX". */
export function formatAccessModes(object: JsonObject, path: readonly string[]): string {
  return asArray(getPath(object, path)).map((mode) => accessModeShort[asString(mode) ?? ''] ?? '').filter((mode) => mode !== '').join(',');
}

export function validateAccessModes(object: JsonObject, path: readonly string[]): FieldError[] {
  const field = path.join('.');
  const modes = asArray(getPath(object, path));
  if (modes.length === 0) return [fieldError.required(field)];
  const problems: FieldError[] = [];
  modes.forEach((mode, index) => {
    if (!(accessModes as readonly string[]).includes(asString(mode) ?? '')) problems.push(fieldError.notSupported(`${field}[${index}]`, mode, accessModes));
  });
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) problems.push(fieldError.forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return problems;
}

export const volumeModes = ['Filesystem', 'Block'] as const;
