import { getPath, type JsonObject } from '../../json.ts';
import { objectReferenceSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageOf } from '../../table/human-duration.ts';
import { column, numberAt, stringAt, wide } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';

function lastSeen(object: JsonObject, nowMs: number): string {
  const time = getPath(object, ['lastTimestamp']) ?? getPath(object, ['eventTime']) ?? getPath(object, ['metadata', 'creationTimestamp']);
  return ageOf(time, nowMs);
}

function involvedObject(object: JsonObject): string {
  return `${stringAt(object, ['involvedObject', 'kind']).toLowerCase()}/${stringAt(object, ['involvedObject', 'name'])}`;
}

export const eventResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'Event',
  plural: 'events',
  shortNames: ['ev'],
  namespaced: true,
  schema: objectSchemaFor('io.k8s.api.core.v1.Event', 'Event is a report of an event somewhere in the cluster.', {
    involvedObject: objectReferenceSchema,
    reason: s.string('This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    message: s.string('A human-readable description of the status of this operation.'),
    source: s.object('io.k8s.api.core.v1.EventSource', 'EventSource contains information for an event.', { component: s.string(), host: s.string() }),
    firstTimestamp: s.time('The time at which the event was first recorded.'),
    lastTimestamp: s.time('The time at which the most recent occurrence of this event was recorded.'),
    count: s.int32('The number of times this event has occurred.'),
    type: s.string('Type of this event (Normal, Warning).'),
    eventTime: s.time('Time when this Event was first observed.'),
    series: s.any(), action: s.string(), related: objectReferenceSchema, reportingComponent: s.string(), reportingInstance: s.string(),
  }, ),
  omitNameColumn: true,
  columns: [
    column('Last Seen', 'Time when this event was last seen', lastSeen),
    column('Type', 'Type of this event (Normal, Warning).', (object) => stringAt(object, ['type'])),
    column('Reason', 'Short, machine understandable string that gives the reason for the transition.', (object) => stringAt(object, ['reason'])),
    column('Object', 'The object this event is about.', involvedObject),
    wide('Subobject', 'The subobject this event is about.', (object) => stringAt(object, ['involvedObject', 'fieldPath'])),
    wide('Source', 'The component reporting this event.', (object) => stringAt(object, ['source', 'component'])),
    column('Message', 'A human-readable description of the status of this operation.', (object) => stringAt(object, ['message'])),
    column('First Seen', 'The time at which the event was first recorded.', (object, nowMs) => ageOf(getPath(object, ['firstTimestamp']), nowMs), { priority: 1 }),
    wide('Count', 'The number of times this event has occurred.', (object) => numberAt(object, ['count'])),
    wide('Name', 'The name of the event.', (object) => stringAt(object, ['metadata', 'name'])),
  ],
  fieldSelectors: {
    'involvedObject.kind': (object) => stringAt(object, ['involvedObject', 'kind']),
    'involvedObject.name': (object) => stringAt(object, ['involvedObject', 'name']),
    'involvedObject.namespace': (object) => stringAt(object, ['involvedObject', 'namespace']),
    'involvedObject.uid': (object) => stringAt(object, ['involvedObject', 'uid']),
    'involvedObject.fieldPath': (object) => stringAt(object, ['involvedObject', 'fieldPath']),
    reason: (object) => stringAt(object, ['reason']),
    type: (object) => stringAt(object, ['type']),
    'source': (object) => stringAt(object, ['source', 'component']),
  },
});
