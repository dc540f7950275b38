import type { JsonObject } from '../../api/json.ts';
import { updateObject } from '../../api/objects/object-operations.ts';
import { eventResource } from '../../api/registry/kinds/event.ts';
import { isApiStatus } from '../../controller-runtime/index.ts';
import { decodeEventsRecordRequest, type AgentEvent, type EventsRecordResult } from '../protocol/index.ts';
import { withoutResourceVersion, type HandlerContext } from './handler-context.ts';

/**
 * `events.record`: the agent's Events (Started, Killing, Unhealthy, BackOff …) with kubelet as the
 * source. The agent aggregates repeats (same name, higher count); the first report of a name
 * creates the Event, later ones update its count, message and lastTimestamp. A failed Event is
 * counted, never retried: events are advice.
 */
export async function recordEvents(request: Uint8Array, context: HandlerContext): Promise<EventsRecordResult> {
  const { nodeName, events } = decodeEventsRecordRequest(request);
  let written = 0;
  let failed = 0;
  for (const event of events) {
    try {
      await writeEvent(context, nodeName, event);
      written++;
    } catch (error) {
      failed++;
      context.logger.debug({ err: error, event: event.name }, 'agent event not recorded');
    }
  }
  return { written, failed };
}

async function writeEvent(context: HandlerContext, nodeName: string, event: AgentEvent): Promise<void> {
  const fields = eventFields(nodeName, event);
  try {
    await updateObject(context.api, eventResource, event.namespace, event.name, (current) => ({ ...withoutResourceVersion(current), ...fields }), { dryRun: false });
    return;
  } catch (error) {
    if (!isApiStatus(error, 404)) throw error;
  }
  await context.client.create(eventResource, { metadata: { name: event.name, namespace: event.namespace }, ...fields });
}

function eventFields(nodeName: string, event: AgentEvent): JsonObject {
  const involved = event.involvedObject;
  return {
    involvedObject: {
      kind: involved.kind, apiVersion: involved.apiVersion, namespace: involved.namespace, name: involved.name, uid: involved.uid,
      ...(involved.fieldPath === '' ? {} : { fieldPath: involved.fieldPath }),
    },
    reason: event.reason, message: event.message, type: event.type, count: event.count,
    firstTimestamp: event.firstTimestamp, lastTimestamp: event.lastTimestamp,
    source: { component: 'kubelet', host: nodeName },
    reportingComponent: 'kubelet', reportingInstance: nodeName,
  };
}
