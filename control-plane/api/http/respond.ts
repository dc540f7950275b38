import type { ServerResponse } from 'node:http';
import { stringify } from 'yaml';
import type { JsonObject, JsonValue } from '../json.ts';
import type { HandlerResult } from '../handlers/request.ts';
import type { ResourceDefinition } from '../registry/resource.ts';
import type { ApiError } from '../status.ts';
import { partialObjectMetadata, renderTable, type IncludeObject } from '../table/render.ts';
import type { ResponseShape } from './content-type.ts';

export function sendJson(response: ServerResponse, status: number, body: JsonValue, warnings: readonly string[] = [], contentType = 'application/json'): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  // Warnings travel as RFC 7234 Warning headers with code 299, which kubectl prints as "Warning: …".
  if (warnings.length > 0) response.setHeader('Warning', warnings.map((warning) => `299 - ${JSON.stringify(warning)}`));
  // Vary: discovery documents differ by Accept (aggregated or legacy), so caches must tell them apart.
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', Vary: 'Accept' });
  response.end(text);
}

export function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff' });
  response.end(text);
}

export function sendError(response: ServerResponse, error: ApiError): void {
  if (error.details.retryAfterSeconds !== undefined && !response.headersSent) response.setHeader('Retry-After', String(error.details.retryAfterSeconds));
  sendJson(response, error.code, error.toStatus());
}

export interface ShapeOptions {
  readonly shape: ResponseShape;
  readonly includeObject: IncludeObject;
  readonly nowMs: number;
}

/** A handler's result in the representation the client negotiated. */
export function shapeResult(result: Exclude<HandlerResult, { kind: 'streamed' }>, definition: ResourceDefinition, options: ShapeOptions): JsonObject {
  if (result.kind === 'plain') return result.body;
  if (result.kind === 'object') {
    if (options.shape === 'table') {
      const metadata = result.object['metadata'];
      const resourceVersion = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? metadata['resourceVersion'] ?? '' : '';
      return renderTable(definition, [result.object], { nowMs: options.nowMs, includeObject: options.includeObject, listMetadata: { resourceVersion } });
    }
    return options.shape === 'partialMetadata' ? partialObjectMetadata(result.object) : result.object;
  }
  const listMetadata = (result.list['metadata'] ?? {}) as JsonObject;
  if (options.shape === 'table') return renderTable(definition, result.items, { nowMs: options.nowMs, includeObject: options.includeObject, listMetadata });
  if (options.shape === 'partialMetadata') {
    return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMetadata, items: result.items.map(partialObjectMetadata) };
  }
  return result.list;
}

export function sendShaped(response: ServerResponse, status: number, body: JsonObject, shape: ResponseShape, warnings: readonly string[]): void {
  if (shape !== 'yaml') return sendJson(response, status, body, warnings);
  const text = stringify(body);
  if (warnings.length > 0) response.setHeader('Warning', warnings.map((warning) => `299 - ${JSON.stringify(warning)}`));
  response.writeHead(status, { 'Content-Type': 'application/yaml', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
