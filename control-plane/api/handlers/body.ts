import { parseMediaType, MediaTypes } from '../http/content-type.ts';
import type { JsonValue } from '../json.ts';
import { parseBody } from '../objects/decode-body.ts';
import { decodeKubernetesProtobuf } from '../protobuf/decode.ts';
import { ProtobufError } from '../protobuf/wire.ts';
import { errors } from '../status.ts';
import type { ResourceRequest } from './request.ts';

const protobufMediaType = 'application/vnd.kubernetes.protobuf';
const objectMediaTypes = [MediaTypes.json, MediaTypes.yaml, `${protobufMediaType} (ConfigMap, Secret, Namespace, ServiceAccount, Deployment, Service)`];

/** The body of a create or update: JSON or YAML; protobuf and anything else is a 415. */
export async function readObjectBody(request: ResourceRequest): Promise<JsonValue> {
  const media = parseMediaType(request.contentType === '' ? MediaTypes.json : request.contentType).type;
  // kubectl's typed clients (create configmap/secret/namespace/deployment) send protobuf.
  if (media === protobufMediaType) {
    try {
      return decodeKubernetesProtobuf(await request.readBody());
    } catch (error) {
      if (error instanceof ProtobufError) throw errors.unsupportedMediaType(`${request.contentType}: ${error.message}`, objectMediaTypes);
      throw error;
    }
  }
  if (media !== MediaTypes.json && media !== MediaTypes.yaml && media !== 'text/yaml' && media !== '*/*') {
    throw errors.unsupportedMediaType(request.contentType, objectMediaTypes);
  }
  return parseBody(await request.readBody(), media !== MediaTypes.json && media !== '*/*');
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchMediaTypes: Record<string, PatchType> = {
  [MediaTypes.jsonPatch]: 'json',
  [MediaTypes.mergePatch]: 'merge',
  [MediaTypes.strategicMergePatch]: 'strategic',
  [MediaTypes.applyPatch]: 'apply',
};

export async function readPatchBody(request: ResourceRequest): Promise<{ type: PatchType; patch: JsonValue }> {
  const media = parseMediaType(request.contentType).type;
  const type = patchMediaTypes[media];
  if (type === undefined) throw errors.unsupportedMediaType(request.contentType || '(none)', Object.keys(patchMediaTypes));
  return { type, patch: parseBody(await request.readBody(), type === 'apply') };
}
