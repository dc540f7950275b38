/** Media types: what a request body is, and what the client accepts back. */
export interface MediaType {
  readonly type: string;
  readonly parameters: Readonly<Record<string, string>>;
}

export function parseMediaType(text: string): MediaType {
  const [type = '', ...parameters] = text.split(';');
  const parsed: Record<string, string> = {};
  for (const parameter of parameters) {
    const [key = '', value = ''] = parameter.split('=');
    parsed[key.trim().toLowerCase()] = value.trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), parameters: parsed };
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (header === undefined || header.trim() === '') return [{ type: '*/*', parameters: {} }];
  return header.split(',').map(parseMediaType);
}

export const MediaTypes = {
  json: 'application/json',
  yaml: 'application/yaml',
  jsonPatch: 'application/json-patch+json',
  mergePatch: 'application/merge-patch+json',
  strategicMergePatch: 'application/strategic-merge-patch+json',
  applyPatch: 'application/apply-patch+yaml',
} as const;

/** What the response should be: plain JSON (or YAML), a meta.k8s.io Table, or partial metadata. */
export type ResponseShape = 'json' | 'yaml' | 'table' | 'partialMetadata';

/** Picks the first acceptable representation; null when none is (406). Protobuf is never served. */
export function negotiate(accept: readonly MediaType[]): ResponseShape | null {
  for (const media of accept) {
    const as = media.parameters['as'];
    const jsonLike = media.type === 'application/json' || media.type === '*/*' || media.type === 'application/*';
    if (as === 'Table' && jsonLike && (media.parameters['g'] ?? 'meta.k8s.io') === 'meta.k8s.io') return 'table';
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && jsonLike) return 'partialMetadata';
    if (as !== undefined) continue;
    if (jsonLike) return 'json';
    if (media.type === 'application/yaml' || media.type === 'text/yaml') return 'yaml';
  }
  return null;
}
