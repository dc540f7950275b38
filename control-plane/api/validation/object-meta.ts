import { asArray, asObject, asString, isJsonObject, type JsonObject } from '../json.ts';
import type { NameRule } from '../registry/resource.ts';
import { fieldError, type FieldError } from './field-error.ts';
import { checkDns1035Label, checkDns1123Label, checkDns1123Subdomain, checkLabelValue, checkQualifiedName, NameLimits } from './names.ts';

const nameCheckers: Record<NameRule, (value: string) => string[]> = {
  subdomain: checkDns1123Subdomain,
  label: checkDns1123Label,
  dns1035: checkDns1035Label,
};

export function checkName(rule: NameRule, name: string): string[] {
  return nameCheckers[rule](name);
}

/** Validates what every kind has in metadata (names, labels, annotations, owner references, finalizers). */
export function validateObjectMeta(metadata: JsonObject, rule: NameRule, namespaced: boolean): FieldError[] {
  const problems: FieldError[] = [];
  const name = asString(metadata['name']) ?? '';
  if (name === '') problems.push(fieldError.required('metadata.name', 'name or generateName is required'));
  else for (const problem of checkName(rule, name)) problems.push(fieldError.invalid('metadata.name', name, problem));
  const namespace = asString(metadata['namespace']) ?? '';
  if (namespaced) {
    if (namespace === '') problems.push(fieldError.required('metadata.namespace'));
    else for (const problem of checkDns1123Label(namespace)) problems.push(fieldError.invalid('metadata.namespace', namespace, problem));
  }
  problems.push(...validateLabels(metadata['labels'], 'metadata.labels'));
  problems.push(...validateAnnotations(metadata['annotations']));
  problems.push(...validateOwnerReferences(metadata['ownerReferences']));
  asArray(metadata['finalizers']).forEach((finalizer, index) => {
    const value = asString(finalizer) ?? '';
    for (const problem of checkQualifiedName(value)) problems.push(fieldError.invalid(`metadata.finalizers[${index}]`, value, problem));
  });
  return problems;
}

export function validateLabels(labels: unknown, field: string): FieldError[] {
  const problems: FieldError[] = [];
  for (const [key, value] of Object.entries(asObject(labels) ?? {})) {
    for (const problem of checkQualifiedName(key)) problems.push(fieldError.invalid(field, key, problem));
    const text = asString(value) ?? '';
    for (const problem of checkLabelValue(text)) problems.push(fieldError.invalid(`${field}`, text, problem));
  }
  return problems;
}

function validateAnnotations(annotations: unknown): FieldError[] {
  const problems: FieldError[] = [];
  let totalBytes = 0;
  for (const [key, value] of Object.entries(asObject(annotations) ?? {})) {
    for (const problem of checkQualifiedName(key.toLowerCase())) problems.push(fieldError.invalid('metadata.annotations', key, problem));
    totalBytes += Buffer.byteLength(key) + Buffer.byteLength(asString(value) ?? '');
  }
  if (totalBytes > NameLimits.annotationsBytesMax) problems.push(fieldError.tooLong('metadata.annotations', NameLimits.annotationsBytesMax));
  return problems;
}

function validateOwnerReferences(references: unknown): FieldError[] {
  const problems: FieldError[] = [];
  let controllers = 0;
  asArray(references).forEach((reference, index) => {
    const field = `metadata.ownerReferences[${index}]`;
    if (!isJsonObject(reference)) return problems.push(fieldError.invalid(field, reference, 'must be an object'));
    for (const key of ['apiVersion', 'kind', 'name', 'uid']) {
      if ((asString(reference[key]) ?? '') === '') problems.push(fieldError.required(`${field}.${key}`));
    }
    if (reference['controller'] === true) controllers++;
    return undefined;
  });
  if (controllers > 1) problems.push(fieldError.invalid('metadata.ownerReferences', references, 'Only one reference can have Controller set to true'));
  return problems;
}
