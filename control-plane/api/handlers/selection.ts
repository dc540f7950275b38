import type { JsonObject } from '../json.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { baseFieldValue, FieldSelectorError, matchesFields, parseFieldSelector } from '../selectors/field-selector.ts';
import { labelsOf, matchesLabels, parseLabelSelector, SelectorParseError } from '../selectors/label-selector.ts';
import { errors } from '../status.ts';

/** The `labelSelector` and `fieldSelector` of a list or watch, as one predicate. */
export interface Selection {
  readonly matches: (object: JsonObject) => boolean;
  /** Whether anything filters (Kubernetes omits remainingItemCount then). */
  readonly filtering: boolean;
}

export function parseSelection(definition: ResourceDefinition, query: URLSearchParams): Selection {
  try {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
    const supported = ['metadata.name', 'metadata.namespace', ...Object.keys(definition.fieldSelectors)];
    for (const requirement of fields) {
      if (!supported.includes(requirement.field)) {
        throw new FieldSelectorError(`"${requirement.field}" is not a known field selector: only ${supported.map((field) => `"${field}"`).join(', ')}`);
      }
    }
    const valueOf = (object: JsonObject) => (field: string) => baseFieldValue(object, field) ?? definition.fieldSelectors[field]?.(object) ?? '';
    return {
      matches: (object) => matchesLabels(labels, labelsOf(object['metadata'])) && matchesFields(fields, valueOf(object)),
      filtering: labels.length > 0 || fields.length > 0,
    };
  } catch (error) {
    if (error instanceof SelectorParseError || error instanceof FieldSelectorError) throw errors.badRequest(`unable to parse selector: ${error.message}`);
    throw error;
  }
}
