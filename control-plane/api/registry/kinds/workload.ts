import { asObject, getPath, type JsonObject } from '../../json.ts';
import { fromLabelSelectorObject, labelsOf, matchesLabels, selectorToString } from '../../selectors/label-selector.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';
import { validateLabels } from '../../validation/object-meta.ts';
import { validatePodSpec, validateNonNegative } from '../../validation/pod-spec.ts';

/** What differs between the kinds that own a pod template and a selector. */
export interface WorkloadRules {
  /** Allowed spec.template.spec.restartPolicy values (Kubernetes: Always for long-running workloads; OnFailure/Never for Jobs). */
  readonly restartPolicies: readonly string[];
  /** Where the pod template spec lives (CronJob nests it under jobTemplate). */
  readonly specPath: readonly string[];
  readonly kindName: string;
  /** CronJob's jobTemplate may leave the selector out (each Job gets a generated one). */
  readonly selectorOptional?: boolean;
}

const longRunning: WorkloadRules = { restartPolicies: ['Always'], specPath: ['spec'], kindName: 'deployment' };

/** Validation shared by the controllers' kinds that own a pod template and a selector. */
export function workloadValidator(rules: WorkloadRules): (object: JsonObject, old: JsonObject | null) => FieldError[] {
  const prefix = rules.specPath.join('.');
  return (object, old) => {
    const spec = asObject(getPath(object, rules.specPath)) ?? {};
    const problems: FieldError[] = [...validateNonNegative(spec, 'replicas', `${prefix}.replicas`), ...validateNonNegative(spec, 'minReadySeconds', `${prefix}.minReadySeconds`)];
    const selector = asObject(spec['selector']);
    const requirements = fromLabelSelectorObject(selector);
    if (selector === undefined) {
      if (rules.selectorOptional !== true) problems.push(fieldError.required(`${prefix}.selector`));
    }
    else if (requirements.length === 0) problems.push(fieldError.invalid(`${prefix}.selector`, selector, `empty selector is invalid for ${rules.kindName}`));
    const template = asObject(spec['template']);
    if (template === undefined) return [...problems, fieldError.required(`${prefix}.template`)];
    const templateLabels = getPath(template, ['metadata', 'labels']);
    problems.push(...validateLabels(templateLabels, `${prefix}.template.metadata.labels`));
    if (requirements.length > 0 && !matchesLabels(requirements, labelsOf(template['metadata']))) {
      problems.push(fieldError.invalid(`${prefix}.template.metadata.labels`, templateLabels ?? {}, '`selector` does not match template `labels`'));
    }
    problems.push(...validatePodSpec(template['spec'], `${prefix}.template.spec`));
    const restartPolicy = getPath(template, ['spec', 'restartPolicy']);
    // Defaults fill it (Always) before validation on the server; a Job then says what to pick instead.
    if (restartPolicy !== undefined && !rules.restartPolicies.includes(typeof restartPolicy === 'string' ? restartPolicy : '')) {
      problems.push(fieldError.notSupported(`${prefix}.template.spec.restartPolicy`, restartPolicy, rules.restartPolicies));
    }
    if (old !== null && JSON.stringify(getPath(old, [...rules.specPath, 'selector'])) !== JSON.stringify(selector)) {
      problems.push(fieldError.invalid(`${prefix}.selector`, selector ?? null, 'field is immutable'));
    }
    return problems;
  };
}

export const validateWorkload = workloadValidator(longRunning);

/** A validator for another long-running kind (its name appears in messages). */
export function longRunningValidator(kindName: string): ReturnType<typeof workloadValidator> {
  return workloadValidator({ ...longRunning, kindName });
}

/** A workload's spec.selector as kubectl prints it (`-o wide` SELECTOR). */
export function selectorText(object: JsonObject): string {
  return selectorToString(fromLabelSelectorObject(getPath(object, ['spec', 'selector']))) || '<none>';
}
