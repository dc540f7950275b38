import { asObject, asString, objectsIn, type JsonObject } from '../../json.ts';
import { s } from '../../schema/schema.ts';
import { fieldError, type FieldError } from '../../validation/field-error.ts';

/**
 * Pieces shared by metrics.k8s.io PodMetrics and NodeMetrics: the objects node agents write with
 * what they measured (in the shape metrics-server serves), read by `kubectl top` and the autoscaler.
 */

export const metricsGroup = 'metrics.k8s.io';
export const metricsVersion = 'v1beta1';

/** Kubernetes' ResourceList for usage: cpu and memory quantities. */
export const usageSchema = s.map(s.quantity(), 'The memory and cpu usage.');
export const timestampSchema = s.time('The time at which the usage was measured: the end of the window.');
export const windowSchema = s.string('The interval the usage was averaged over, as a Go duration ("15s", "10.062s").');

const durationUnitsMs: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A Go duration as metrics-server writes it ("15s", "1m0s", "150ms"), in milliseconds; undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const pattern = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  while (pattern.lastIndex < text.length) {
    const match = pattern.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * (durationUnitsMs[match[2] ?? ''] ?? 0);
  }
  return total;
}

export function validateWindow(object: JsonObject): FieldError[] {
  const window = object['window'];
  if (window === undefined) return [];
  if (typeof window !== 'string' || parseDurationMs(window) === undefined) return [fieldError.invalid('window', window, 'must be a duration such as "15s"')];
  return [];
}

/** One resource of a usage map as written ("250m"), for Table cells. */
export function usageCell(usage: unknown, resource: 'cpu' | 'memory'): string {
  const value = asObject(usage)?.[resource];
  return typeof value === 'number' ? String(value) : (asString(value) ?? '');
}

/** A PodMetrics' per-container usage of one resource, comma-separated (one value for one container). */
export function containersUsageCell(object: JsonObject, resource: 'cpu' | 'memory'): string {
  return objectsIn(object['containers']).map((container) => usageCell(container['usage'], resource)).join(',');
}
