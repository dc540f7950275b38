/** Kubernetes' name rules (k8s.io/apimachinery/pkg/util/validation), with its messages. */

const dns1123LabelPattern = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainPattern = `${dns1123LabelPattern}(\\.${dns1123LabelPattern})*`;
const dns1035LabelPattern = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qualifiedNamePattern = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValuePattern = `(${qualifiedNamePattern})?`;

const dns1123Label = new RegExp(`^${dns1123LabelPattern}$`);
const dns1123Subdomain = new RegExp(`^${dns1123SubdomainPattern}$`);
const dns1035Label = new RegExp(`^${dns1035LabelPattern}$`);
const qualifiedName = new RegExp(`^${qualifiedNamePattern}$`);
const labelValue = new RegExp(`^${labelValuePattern}$`);
const configMapKey = /^[-._a-zA-Z0-9]+$/;

export const NameLimits = {
  dns1123LabelLengthMax: 63,
  dns1123SubdomainLengthMax: 253,
  qualifiedNameLengthMax: 63,
  labelValueLengthMax: 63,
  configMapKeyLengthMax: 253,
  /** Total bytes of all annotation keys and values (Kubernetes' TotalAnnotationSizeLimitB). */
  annotationsBytesMax: 256 * 1024,
} as const;

/** Each returns the problems (empty when valid). */
export function checkDns1123Label(value: string): string[] {
  const problems: string[] = [];
  if (value.length > NameLimits.dns1123LabelLengthMax) problems.push(`must be no more than ${NameLimits.dns1123LabelLengthMax} characters`);
  if (!dns1123Label.test(value)) {
    problems.push(
      `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${dns1123LabelPattern}')`,
    );
  }
  return problems;
}

export function checkDns1123Subdomain(value: string): string[] {
  const problems: string[] = [];
  if (value.length > NameLimits.dns1123SubdomainLengthMax) problems.push(`must be no more than ${NameLimits.dns1123SubdomainLengthMax} characters`);
  if (!dns1123Subdomain.test(value)) {
    problems.push(
      `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${dns1123SubdomainPattern}')`,
    );
  }
  return problems;
}

export function checkDns1035Label(value: string): string[] {
  const problems: string[] = [];
  if (value.length > NameLimits.dns1123LabelLengthMax) problems.push(`must be no more than ${NameLimits.dns1123LabelLengthMax} characters`);
  if (!dns1035Label.test(value)) {
    problems.push(
      `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${dns1035LabelPattern}')`,
    );
  }
  return problems;
}

/** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function checkQualifiedName(value: string): string[] {
  const parts = value.split('/');
  const name = parts.length === 2 ? parts[1] ?? '' : parts[0] ?? '';
  if (parts.length > 2) return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const problems: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else problems.push(...checkDns1123Subdomain(prefix).map((problem) => `prefix part ${problem}`));
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > NameLimits.qualifiedNameLengthMax) problems.push(`name part must be no more than ${NameLimits.qualifiedNameLengthMax} characters`);
  if (name.length > 0 && !qualifiedName.test(name)) {
    problems.push(
      `name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNamePattern}')`,
    );
  }
  return problems;
}

export function checkLabelValue(value: string): string[] {
  const problems: string[] = [];
  if (value.length > NameLimits.labelValueLengthMax) problems.push(`must be no more than ${NameLimits.labelValueLengthMax} characters`);
  if (!labelValue.test(value)) {
    problems.push(
      `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${labelValuePattern}')`,
    );
  }
  return problems;
}

export function checkConfigMapKey(value: string): string[] {
  const problems: string[] = [];
  if (value.length > NameLimits.configMapKeyLengthMax) problems.push(`must be no more than ${NameLimits.configMapKeyLengthMax} characters`);
  if (!configMapKey.test(value)) problems.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (value === '.' || value === '..') problems.push(`must not be '${value}'`);
  else if (value.startsWith('..')) problems.push("must not start with '..'");
  return problems;
}
