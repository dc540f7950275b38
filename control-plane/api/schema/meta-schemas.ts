import { s, type ObjectSchema } from './schema.ts';

/** Shared apimachinery types (k8s.io/apimachinery/pkg/apis/meta/v1). */

export const ownerReferenceSchema = s.object(
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
  'OwnerReference contains enough information to let you identify an owning object.',
  {
    apiVersion: s.string('API version of the referent.'),
    kind: s.string('Kind of the referent.'),
    name: s.string('Name of the referent.'),
    uid: s.string('UID of the referent.'),
    controller: s.boolean('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: s.boolean('If true, the owner cannot be deleted from storage until this reference is removed (foreground deletion).'),
  },
  ['apiVersion', 'kind', 'name', 'uid'],
);

export const objectMetaSchema = s.object(
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
  'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  {
    name: s.string('Name must be unique within a namespace. Cannot be updated.'),
    generateName: s.string('Optional prefix used by the server to generate a unique name when name is not provided.'),
    namespace: s.string('Namespace defines the space within which each name must be unique. Cannot be updated.'),
    selfLink: s.string('Deprecated: not set by the server.'),
    uid: s.string('UID is the unique in time and space value for this object. Set by the server.'),
    resourceVersion: s.string('An opaque value that represents the internal version of this object, used for optimistic concurrency.'),
    generation: s.int64('A sequence number representing a specific generation of the desired state. Set by the server.'),
    creationTimestamp: s.time('CreationTimestamp is when this object was created. Set by the server.'),
    deletionTimestamp: s.time('The time after which this resource will be deleted. Set by the server when a graceful deletion is requested.'),
    deletionGracePeriodSeconds: s.int64('Seconds allowed for this object to gracefully terminate before it is removed.'),
    labels: s.stringMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
    annotations: s.stringMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools.'),
    ownerReferences: s.keyedList(ownerReferenceSchema, 'uid', 'List of objects depended by this object.'),
    finalizers: s.array(s.string(), 'Must be empty before the object is deleted from the registry.', { patchStrategy: 'merge' }),
    managedFields: s.array(s.any(), 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.'),
  },
);

export const labelSelectorSchema = s.object(
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
  'A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed.',
  {
    matchLabels: s.stringMap('matchLabels is a map of {key,value} pairs.'),
    matchExpressions: s.array(
      s.object(
        'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement',
        'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.',
        {
          key: s.string('key is the label key that the selector applies to.'),
          operator: s.string("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."),
          values: s.array(s.string(), 'values is an array of string values.'),
        },
        ['key', 'operator'],
      ),
      'matchExpressions is a list of label selector requirements.',
    ),
  },
);

export const conditionSchema = s.object('io.k8s.apimachinery.pkg.apis.meta.v1.Condition', 'Condition contains details for one aspect of the current state.', {
  type: s.string('Type of condition.'),
  status: s.string('Status of the condition, one of True, False, Unknown.'),
  observedGeneration: s.int64('The .metadata.generation that the condition was set based upon.'),
  lastTransitionTime: s.time('Last time the condition transitioned from one status to another.'),
  lastUpdateTime: s.time('The last time this condition was updated.'),
  lastProbeTime: s.time('Last time the condition was probed.'),
  lastHeartbeatTime: s.time('Last time the condition was reported.'),
  reason: s.string("A programmatic identifier indicating the reason for the condition's last transition."),
  message: s.string('A human readable message indicating details about the transition.'),
});

export const conditionsSchema = s.keyedList(conditionSchema, 'type', 'Conditions: the latest available observations of the current state.');

export const objectReferenceSchema = s.object('io.k8s.api.core.v1.ObjectReference', 'ObjectReference contains enough information to let you inspect or modify the referred object.', {
  kind: s.string('Kind of the referent.'),
  namespace: s.string('Namespace of the referent.'),
  name: s.string('Name of the referent.'),
  uid: s.string('UID of the referent.'),
  apiVersion: s.string('API version of the referent.'),
  resourceVersion: s.string('Specific resourceVersion to which this reference is made, if any.'),
  fieldPath: s.string('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
});

export const localObjectReferenceSchema = s.object(
  'io.k8s.api.core.v1.LocalObjectReference',
  'LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.',
  { name: s.string('Name of the referent.') },
);

/** The top-level fields every kind has; a kind's own schema adds spec/status/data/... */
export function objectSchemaFor(name: string, description: string, properties: ObjectSchema['properties']): ObjectSchema {
  return s.object(name, description, {
    apiVersion: s.string('APIVersion defines the versioned schema of this representation of an object.'),
    kind: s.string('Kind is a string value representing the REST resource this object represents.'),
    metadata: objectMetaSchema,
    ...properties,
  });
}
