import { protocolVersion, type ConfigChangeMessage, type ObjectEventMessage, type PodEventMessage } from './messages.ts';
import { decodeFields } from './codec.ts';

/** Decoders of what the leader publishes: pod changes per node, ConfigMap/Secret change notices, Service/EndpointSlice/Ingress changes. */

export function decodePodEvent(bytes: Uint8Array): PodEventMessage {
  const fields = decodeFields(bytes, 'pod event');
  const kind = fields.oneOf('kind', ['change', 'progress']);
  const common = { version: protocolVersion, epoch: fields.string('epoch'), sequence: fields.integer('sequence', 1), revision: fields.integer('revision', 0), since: fields.integer('since', 0) };
  if (kind === 'progress') return { ...common, kind };
  return { ...common, kind, type: fields.oneOf('type', ['added', 'updated', 'deleted']), pod: fields.object('pod') };
}

export function decodeConfigChange(bytes: Uint8Array): ConfigChangeMessage {
  const fields = decodeFields(bytes, 'config change');
  const kind = fields.oneOf('kind', ['change', 'progress']);
  const common = { version: protocolVersion, epoch: fields.string('epoch'), sequence: fields.integer('sequence', 1), revision: fields.integer('revision', 0), since: fields.integer('since', 0) };
  if (kind === 'progress') return { ...common, kind };
  return { ...common, kind, objectKind: fields.oneOf('objectKind', ['ConfigMap', 'Secret']), namespace: fields.string('namespace'), name: fields.string('name') };
}

/** A Service, EndpointSlice or Ingress change (`what` names the subject's kind in errors). */
export function decodeObjectEvent(bytes: Uint8Array, what: string): ObjectEventMessage {
  const fields = decodeFields(bytes, `${what} event`);
  const kind = fields.oneOf('kind', ['change', 'progress']);
  const common = { version: protocolVersion, epoch: fields.string('epoch'), sequence: fields.integer('sequence', 1), revision: fields.integer('revision', 0), since: fields.integer('since', 0) };
  if (kind === 'progress') return { ...common, kind };
  return { ...common, kind, type: fields.oneOf('type', ['added', 'updated', 'deleted']), object: fields.object('object') };
}
