import { asArray, asNumber, asObject, asString, getPath, objectsIn, type JsonObject } from '../api/json.ts';

/** nodeSelector and node affinity (required terms filter, preferred terms score). Pure. */

function matchesExpression(expression: JsonObject, value: string | undefined): boolean {
  const values = asArray(expression['values']).map((item) => asString(item) ?? '');
  switch (asString(expression['operator'])) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0] ?? '')) return false;
      return asString(expression['operator']) === 'Gt' ? Number(value) > Number(values[0]) : Number(value) < Number(values[0]);
    }
    default:
      return false;
  }
}

/** One NodeSelectorTerm: all its expressions and fields must match (an empty term matches nothing). */
export function matchesNodeSelectorTerm(term: JsonObject, nodeName: string, labels: Readonly<Record<string, string>>): boolean {
  const expressions = objectsIn(term['matchExpressions']);
  const fields = objectsIn(term['matchFields']);
  if (expressions.length === 0 && fields.length === 0) return false;
  return (
    expressions.every((expression) => matchesExpression(expression, Object.hasOwn(labels, asString(expression['key']) ?? '') ? labels[asString(expression['key']) ?? ''] : undefined)) &&
    fields.every((field) => asString(field['key']) === 'metadata.name' && matchesExpression(field, nodeName))
  );
}

/** spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (terms are ORed). */
export function matchesRequiredNodeAffinity(pod: JsonObject, nodeName: string, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(asObject(getPath(pod, ['spec', 'nodeSelector'])) ?? {})) {
    if (labels[key] !== value) return false;
  }
  const required = asObject(getPath(pod, ['spec', 'affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution']));
  if (required === undefined) return true;
  return objectsIn(required['nodeSelectorTerms']).some((term) => matchesNodeSelectorTerm(term, nodeName, labels));
}

/** The sum of the weights of the preferred terms the node matches (normalized by the caller). */
export function preferredNodeAffinityWeight(pod: JsonObject, nodeName: string, labels: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const preference of objectsIn(getPath(pod, ['spec', 'affinity', 'nodeAffinity', 'preferredDuringSchedulingIgnoredDuringExecution']))) {
    const term = asObject(preference['preference']);
    if (term !== undefined && matchesNodeSelectorTerm(term, nodeName, labels)) total += asNumber(preference['weight']) ?? 0;
  }
  return total;
}
