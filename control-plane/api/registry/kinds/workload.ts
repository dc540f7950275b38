import { asObject, getPath, type JsonObject } from '../../json.ts';
import { fromLabelSelectorObject, labelsOf, matchesLabels } from '../../selectors/label-selector.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { validateLabels } from '../../validation/object-meta.ts';
import { validatePodSpec, validateNonNegative } from '../../validation/pod-spec.ts';

/** Validation shared by the controllers' kinds that own a pod template and a selector. */
export function validateWorkload(object: JsonObject, old: JsonObject | null): FieldError[] {
  const spec = asObject(object['spec']) ?? {};
  const problems: FieldError[] = [...validateNonNegative(spec, 'replicas', 'spec.replicas'), ...validateNonNegative(spec, 'minReadySeconds', 'spec.minReadySeconds')];
  const selector = asObject(spec['selector']);
  const requirements = fromLabelSelectorObject(selector);
  if (selector === undefined) problems.push(fieldError.required('spec.selector'));
  else if (requirements.length === 0) problems.push(fieldError.invalid('spec.selector', selector, 'empty selector is invalid for deployment'));
  const template = asObject(spec['template']);
  if (template === undefined) return [...problems, fieldError.required('spec.template')];
  const templateLabels = getPath(template, ['metadata', 'labels']);
  problems.push(...validateLabels(templateLabels, 'spec.template.metadata.labels'));
  if (requirements.length > 0 && !matchesLabels(requirements, labelsOf(template['metadata']))) {
    problems.push(fieldError.invalid('spec.template.metadata.labels', templateLabels ?? {}, '`selector` does not match template `labels`'));
  }
  problems.push(...validatePodSpec(template['spec'], 'spec.template.spec'));
  const restartPolicy = getPath(template, ['spec', 'restartPolicy']);
  if (restartPolicy !== undefined && restartPolicy !== 'Always') problems.push(fieldError.notSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (old !== null && JSON.stringify(getPath(old, ['spec', 'selector'])) !== JSON.stringify(selector)) {
    problems.push(fieldError.invalid('spec.selector', selector ?? null, 'field is immutable'));
  }
  return problems;
}
