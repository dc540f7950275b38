import { asArray, ensureObject, getPath } from '../../json.ts';
import { conditionsSchema, objectSchemaFor } from '../../schema/meta-schemas.ts';
import { s } from '../../schema/schema.ts';
import { ageColumn, column, stringAt } from '../../table/columns.ts';
import { defineResource } from '../resource.ts';

export const namespaceResource = defineResource({
  group: '',
  version: 'v1',
  kind: 'Namespace',
  plural: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  nameRule: 'label',
  subresources: { status: true },
  resetStatusOnCreate: false,
  deletion: {
    gracePeriodSeconds: () => 0,
    // The namespace controller empties a Terminating namespace, then clears spec.finalizers.
    onMarked: (object) => {
      ensureObject(object, 'status')['phase'] = 'Terminating';
    },
    blocksRemoval: (object) => asArray(getPath(object, ['spec', 'finalizers'])).length > 0,
  },
  schema: objectSchemaFor('io.k8s.api.core.v1.Namespace', 'Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
    spec: s.object('io.k8s.api.core.v1.NamespaceSpec', 'Spec defines the behavior of the Namespace.', {
      finalizers: s.array(s.string(), 'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.'),
    }),
    status: s.object('io.k8s.api.core.v1.NamespaceStatus', 'Status describes the current status of a Namespace.', {
      phase: s.string('Phase is the current lifecycle phase of the namespace: Active or Terminating.'),
      conditions: conditionsSchema,
    }),
  }),
  defaults: (object) => {
    const spec = ensureObject(object, 'spec');
    spec['finalizers'] ??= ['kubernetes'];
    ensureObject(object, 'status')['phase'] ??= 'Active';
    // Kubernetes labels every namespace with its own name so that selectors can pick namespaces.
    const name = getPath(object, ['metadata', 'name']);
    if (typeof name === 'string') ensureObject(ensureObject(object, 'metadata'), 'labels')['kubernetes.io/metadata.name'] = name;
  },
  columns: [column('Status', 'The status of the namespace', (object) => stringAt(object, ['status', 'phase'])), ageColumn],
  fieldSelectors: { 'status.phase': (object) => stringAt(object, ['status', 'phase']) },
});
