import { asObject, type JsonObject } from '../../api/json.ts';
import { configMapResource } from '../../api/registry/kinds/config-map.ts';
import { secretResource } from '../../api/registry/kinds/secret.ts';
import { resourceVersionOf } from '../../controller-runtime/index.ts';
import { decodeConfigGetRequest, type ConfigGetResult } from '../protocol/index.ts';
import type { HandlerContext } from './handler-context.ts';

/**
 * `config.get`: a ConfigMap's or Secret's keys and values as the agent projects them (Secret data
 * base64-decoded, ConfigMap binaryData too), read linearizably. Values are text: binary content
 * that is not UTF-8 does not survive (the process runtime writes files from strings).
 */
export async function getConfig(request: Uint8Array, context: HandlerContext): Promise<ConfigGetResult> {
  const { kind, namespace, name } = decodeConfigGetRequest(request);
  const object = await context.client.get(kind === 'ConfigMap' ? configMapResource : secretResource, namespace, name);
  if (object === null) return { found: false, revision: 0, data: {} };
  return { found: true, revision: resourceVersionOf(object), data: kind === 'ConfigMap' ? configMapData(object) : secretData(object) };
}

function configMapData(object: JsonObject): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(object['binaryData']) ?? {})) if (typeof value === 'string') data[key] = Buffer.from(value, 'base64').toString('utf8');
  for (const [key, value] of Object.entries(asObject(object['data']) ?? {})) if (typeof value === 'string') data[key] = value;
  return data;
}

function secretData(object: JsonObject): Record<string, string> {
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(object['data']) ?? {})) if (typeof value === 'string') data[key] = Buffer.from(value, 'base64').toString('utf8');
  return data;
}
