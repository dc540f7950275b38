import { asArray, asObject, asString, type JsonValue } from '../json.ts';
import { checkLabelValue, checkQualifiedName } from '../validation/names.ts';

/** Kubernetes label selectors: the `?labelSelector=` syntax and the LabelSelector object of specs. */

export type SelectorOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** An empty selector matches everything. */
export type LabelSelector = readonly Requirement[];

export class SelectorParseError extends Error {
  override readonly name = 'SelectorParseError';
}

/** Named limit: requirements in one selector (a longer one is refused, not evaluated). */
export const selectorRequirementsMax = 100;

export function parseLabelSelector(text: string): LabelSelector {
  const parts = splitTopLevel(text).map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length > selectorRequirementsMax) throw new SelectorParseError(`a selector may have at most ${selectorRequirementsMax} requirements`);
  return parts.map(parseRequirement);
}

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
    if (depth < 0) throw new SelectorParseError(`unexpected ')' in selector "${text}"`);
  }
  if (depth !== 0) throw new SelectorParseError(`unclosed '(' in selector "${text}"`);
  parts.push(text.slice(start));
  return parts;
}

const setPattern = /^([^\s()!=<>,]+)\s+(in|notin)\s*\((.*)\)$/;
const comparePattern = /^([^\s()!=<>,]+)\s*(==|!=|=|<|>)\s*([^\s()!=<>,]*)$/;
const existsPattern = /^(!?)\s*([^\s()!=<>,]+)$/;

function parseRequirement(text: string): Requirement {
  const set = setPattern.exec(text);
  if (set !== null) {
    const values = (set[3] ?? '').split(',').map((value) => value.trim());
    return checked({ key: set[1] ?? '', operator: set[2] === 'in' ? 'in' : 'notin', values: values.length === 1 && values[0] === '' ? [] : values });
  }
  const compare = comparePattern.exec(text);
  if (compare !== null) {
    const symbol = compare[2];
    const operator: SelectorOperator = symbol === '<' ? 'lt' : symbol === '>' ? 'gt' : symbol === '!=' ? '!=' : symbol === '==' ? '==' : '=';
    return checked({ key: compare[1] ?? '', operator, values: [compare[3] ?? ''] });
  }
  const exists = existsPattern.exec(text);
  if (exists !== null) return checked({ key: exists[2] ?? '', operator: exists[1] === '!' ? '!' : 'exists', values: [] });
  throw new SelectorParseError(`unable to parse requirement: "${text}": expected key, !key, key=value, key!=value, key in (v1,v2) or key notin (v1,v2)`);
}

function checked(requirement: Requirement): Requirement {
  const keyProblems = checkQualifiedName(requirement.key);
  if (keyProblems.length > 0) throw new SelectorParseError(`invalid label key "${requirement.key}": ${keyProblems.join('; ')}`);
  if (requirement.operator === 'gt' || requirement.operator === 'lt') {
    if (!/^-?\d+$/.test(requirement.values[0] ?? '')) throw new SelectorParseError(`for 'gt', 'lt' operators, the value must be an integer: "${requirement.values[0] ?? ''}"`);
    return requirement;
  }
  if ((requirement.operator === 'in' || requirement.operator === 'notin') && requirement.values.length === 0) {
    throw new SelectorParseError(`for 'in', 'notin' operators, values set can't be empty (key "${requirement.key}")`);
  }
  for (const value of requirement.values) {
    const problems = checkLabelValue(value);
    if (problems.length > 0) throw new SelectorParseError(`invalid label value: "${value}": ${problems.join('; ')}`);
  }
  return requirement;
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.every((requirement) => matchesRequirement(requirement, labels));
}

function matchesRequirement(requirement: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case 'in':
    case '=':
    case '==':
      return has && requirement.values.includes(value ?? '');
    case 'notin':
    case '!=':
      return !has || !requirement.values.includes(value ?? '');
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value ?? '')) return false;
      const actual = Number(value);
      const bound = Number(requirement.values[0]);
      return requirement.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** The labels of an object's metadata as a string map (non-string values are ignored). */
export function labelsOf(metadata: JsonValue | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(asObject(metadata)?.['labels']) ?? {})) {
    if (typeof value === 'string') labels[key] = value;
  }
  return labels;
}

/** A spec's LabelSelector object (matchLabels + matchExpressions) as requirements. */
export function fromLabelSelectorObject(selector: JsonValue | undefined): LabelSelector {
  const object = asObject(selector);
  if (object === undefined) return [];
  const requirements: Requirement[] = [];
  const matchLabels = Object.entries(asObject(object['matchLabels']) ?? {}).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  for (const [key, value] of matchLabels) requirements.push({ key, operator: '=', values: [asString(value) ?? ''] });
  for (const expression of asArray(object['matchExpressions'])) {
    const item = asObject(expression) ?? {};
    const operator = asString(item['operator']) ?? '';
    const mapped: SelectorOperator | undefined = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[operator as 'In'];
    if (mapped === undefined) continue;
    requirements.push({ key: asString(item['key']) ?? '', operator: mapped, values: asArray(item['values']).map((value) => asString(value) ?? '') });
  }
  return requirements;
}

/** The selector in the `labelSelector=` syntax ("" when empty), as labels.Selector.String(). */
export function selectorToString(selector: LabelSelector): string {
  return selector
    .map((requirement) => {
      switch (requirement.operator) {
        case 'in':
        case 'notin':
          return `${requirement.key} ${requirement.operator} (${requirement.values.join(',')})`;
        case 'exists':
          return requirement.key;
        case '!':
          return `!${requirement.key}`;
        case 'gt':
          return `${requirement.key}>${requirement.values[0] ?? ''}`;
        case 'lt':
          return `${requirement.key}<${requirement.values[0] ?? ''}`;
        default:
          return `${requirement.key}${requirement.operator === '==' ? '=' : requirement.operator}${requirement.values[0] ?? ''}`;
      }
    })
    .join(',');
}
