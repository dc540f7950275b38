import type { StatusCause } from '../status.ts';

/** A validation failure at a field path, worded as Kubernetes' field.Error so users recognise it. */
export interface FieldError {
  readonly field: string;
  readonly type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden' | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueNotFound';
  readonly message: string;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? 'null';
}

export const fieldError = {
  required: (field: string, detail = ''): FieldError => ({ field, type: 'FieldValueRequired', message: detail === '' ? 'Required value' : `Required value: ${detail}` }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({ field, type: 'FieldValueInvalid', message: `Invalid value: ${show(value)}: ${detail}` }),
  notSupported: (field: string, value: unknown, supported: readonly string[]): FieldError => ({
    field,
    type: 'FieldValueNotSupported',
    message: `Unsupported value: ${show(value)}: supported values: ${supported.map((item) => `"${item}"`).join(', ')}`,
  }),
  forbidden: (field: string, detail: string): FieldError => ({ field, type: 'FieldValueForbidden', message: `Forbidden: ${detail}` }),
  duplicate: (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueDuplicate', message: `Duplicate value: ${show(value)}` }),
  notFound: (field: string, value: unknown): FieldError => ({ field, type: 'FieldValueNotFound', message: `Not found: ${show(value)}` }),
  tooLong: (field: string, maxLength: number): FieldError => ({ field, type: 'FieldValueTooLong', message: `Too long: may not be more than ${maxLength} bytes` }),
} as const;

export function toCause(error: FieldError): StatusCause {
  return { reason: error.type, message: error.message, field: error.field };
}
