import { asObject, asString, type JsonObject } from '../json.ts';

/** `?fieldSelector=metadata.name=x,status.phase!=Running`: only =, == and != exist in Kubernetes. */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

export function parseFieldSelector(text: string): FieldRequirement[] {
  const requirements: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const match = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
    if (match === null) throw new FieldSelectorError(`invalid field selector "${part}": expected field=value, field==value or field!=value`);
    requirements.push({ field: match[1] ?? '', operator: match[2] === '!=' ? '!=' : '=', value: (match[3] ?? '').trim() });
  }
  return requirements;
}

/** The fields every kind supports; a kind adds its own (pods: spec.nodeName, status.phase…). */
export function baseFieldValue(object: JsonObject, field: string): string | undefined {
  const metadata = asObject(object['metadata']);
  if (field === 'metadata.name') return asString(metadata?.['name']) ?? '';
  if (field === 'metadata.namespace') return asString(metadata?.['namespace']) ?? '';
  return undefined;
}

export function matchesFields(requirements: readonly FieldRequirement[], valueOf: (field: string) => string): boolean {
  return requirements.every((requirement) => (valueOf(requirement.field) === requirement.value) === (requirement.operator === '='));
}
