import type { ServerResponse } from 'node:http';
import type { JsonObject } from '../json.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import { errors } from '../status.ts';

/** What a resource URL names. */
export interface ResourceTarget {
  readonly definition: ResourceDefinition;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  /** The deprecated /watch/ path prefix. */
  readonly watchPath: boolean;
}

export interface ResourceRequest {
  readonly method: string;
  readonly target: ResourceTarget;
  readonly query: URLSearchParams;
  readonly contentType: string;
  readonly readBody: () => Promise<Buffer>;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
  /** For streaming responses (watch) only. */
  readonly response: ServerResponse;
}

/**
 * What a handler produced. `object` and `list` of the target's kind may be rendered as a Table;
 * `plain` (a Status, a Scale) is sent as is; `streamed` has been written already.
 */
export type HandlerResult =
  | { readonly kind: 'object'; readonly status: number; readonly object: JsonObject; readonly warnings: readonly string[] }
  | { readonly kind: 'list'; readonly list: JsonObject; readonly items: readonly JsonObject[] }
  | { readonly kind: 'plain'; readonly status: number; readonly body: JsonObject; readonly warnings: readonly string[] }
  | { readonly kind: 'streamed' };

export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const value of values) if (value !== 'All') throw errors.badRequest(`dryRun may only be "All", not "${value}"`);
  return values.length > 0;
}

export function requireName(target: ResourceTarget): string {
  if (target.name === undefined) throw errors.methodNotAllowed('this verb', 'the collection');
  return target.name;
}

/** Parses a non-negative integer query parameter (400 with what to fix otherwise). */
export function integerParameter(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw errors.badRequest(`${name} must be a non-negative integer, not "${value}"`);
  return Number(value);
}
