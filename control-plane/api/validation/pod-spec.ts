import { asArray, asObject, asString, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { fieldError, type FieldError } from './field-error.ts';
import { checkDns1123Label } from './names.ts';

/** Pod spec validation shared by Pod and every pod template (Deployment, ReplicaSet, …): the basics. */
const restartPolicies = ['Always', 'OnFailure', 'Never'];
const protocols = ['TCP', 'UDP', 'SCTP'];
const pullPolicies = ['Always', 'Never', 'IfNotPresent'];

export function validatePodSpec(spec: JsonValue | undefined, field: string): FieldError[] {
  if (!isJsonObject(spec)) return [fieldError.required(field)];
  const problems: FieldError[] = [];
  const volumeNames = validateVolumes(spec['volumes'], `${field}.volumes`, problems);
  const containers = asArray(spec['containers']);
  if (containers.length === 0) problems.push(fieldError.required(`${field}.containers`, 'a pod needs at least one container'));
  const names = new Set<string>();
  validateContainers(spec['initContainers'], `${field}.initContainers`, names, volumeNames, problems);
  validateContainers(spec['containers'], `${field}.containers`, names, volumeNames, problems);
  const restartPolicy = spec['restartPolicy'];
  if (restartPolicy !== undefined && !restartPolicies.includes(asString(restartPolicy) ?? '')) {
    problems.push(fieldError.notSupported(`${field}.restartPolicy`, restartPolicy, restartPolicies));
  }
  const grace = spec['terminationGracePeriodSeconds'];
  if (typeof grace === 'number' && grace < 0) problems.push(fieldError.invalid(`${field}.terminationGracePeriodSeconds`, grace, 'must be greater than or equal to 0'));
  return problems;
}

function validateVolumes(volumes: JsonValue | undefined, field: string, problems: FieldError[]): Set<string> {
  const names = new Set<string>();
  asArray(volumes).forEach((volume, index) => {
    const name = asString(asObject(volume)?.['name']) ?? '';
    if (name === '') problems.push(fieldError.required(`${field}[${index}].name`));
    else {
      for (const problem of checkDns1123Label(name)) problems.push(fieldError.invalid(`${field}[${index}].name`, name, problem));
      if (names.has(name)) problems.push(fieldError.duplicate(`${field}[${index}].name`, name));
    }
    names.add(name);
  });
  return names;
}

function validateContainers(containers: JsonValue | undefined, field: string, names: Set<string>, volumes: ReadonlySet<string>, problems: FieldError[]): void {
  asArray(containers).forEach((container, index) => {
    const path = `${field}[${index}]`;
    if (!isJsonObject(container)) return void problems.push(fieldError.invalid(path, container, 'must be an object'));
    const name = asString(container['name']) ?? '';
    if (name === '') problems.push(fieldError.required(`${path}.name`));
    else {
      for (const problem of checkDns1123Label(name)) problems.push(fieldError.invalid(`${path}.name`, name, problem));
      if (names.has(name)) problems.push(fieldError.duplicate(`${path}.name`, name));
      names.add(name);
    }
    if ((asString(container['image']) ?? '').trim() === '') problems.push(fieldError.required(`${path}.image`));
    const pullPolicy = container['imagePullPolicy'];
    if (pullPolicy !== undefined && !pullPolicies.includes(asString(pullPolicy) ?? '')) problems.push(fieldError.notSupported(`${path}.imagePullPolicy`, pullPolicy, pullPolicies));
    validatePorts(container, path, problems);
    validateMounts(container, path, volumes, problems);
    validateEnv(container, path, problems);
  });
}

function validatePorts(container: JsonObject, path: string, problems: FieldError[]): void {
  asArray(container['ports']).forEach((port, index) => {
    const item = asObject(port) ?? {};
    const containerPort = item['containerPort'];
    const field = `${path}.ports[${index}]`;
    if (typeof containerPort !== 'number') problems.push(fieldError.required(`${field}.containerPort`));
    else if (containerPort < 1 || containerPort > 65535) problems.push(fieldError.invalid(`${field}.containerPort`, containerPort, 'must be between 1 and 65535, inclusive'));
    const protocol = item['protocol'];
    if (protocol !== undefined && !protocols.includes(asString(protocol) ?? '')) problems.push(fieldError.notSupported(`${field}.protocol`, protocol, protocols));
  });
}

function validateMounts(container: JsonObject, path: string, volumes: ReadonlySet<string>, problems: FieldError[]): void {
  asArray(container['volumeMounts']).forEach((mount, index) => {
    const item = asObject(mount) ?? {};
    const field = `${path}.volumeMounts[${index}]`;
    const name = asString(item['name']) ?? '';
    if (name === '') problems.push(fieldError.required(`${field}.name`));
    else if (!volumes.has(name)) problems.push(fieldError.notFound(`${field}.name`, name));
    if ((asString(item['mountPath']) ?? '') === '') problems.push(fieldError.required(`${field}.mountPath`));
  });
}

function validateEnv(container: JsonObject, path: string, problems: FieldError[]): void {
  asArray(container['env']).forEach((variable, index) => {
    const name = asString(asObject(variable)?.['name']) ?? '';
    if (name === '') problems.push(fieldError.required(`${path}.env[${index}].name`));
  });
}

export function validateNonNegative(object: JsonObject, key: string, field: string): FieldError[] {
  const value = object[key];
  return typeof value === 'number' && value < 0 ? [fieldError.invalid(field, value, 'must be greater than or equal to 0')] : [];
}
