import { isApiStatus, isBeingDeleted, type ApiClient, type JsonObject, type ResourceDefinition } from '../../control-plane/index.ts';
import { numberAt, recordAt, recordsAt, stringAt } from './object-fields.ts';
import type { DeclaredState } from './declared-state.ts';
import type { Trace } from './trace.ts';

/** Conflicting writes an operator command retries before giving up (as kubectl's retry on conflict). */
export const operatorConflictRetriesMax = 5;

export type Propagation = 'Background' | 'Foreground';

/**
 * The simulated operator: what `kubectl apply / scale / set image / delete` do, through the API's
 * object layer on the store WITHOUT faults (the faults are the control plane's to survive; a
 * person would simply retry). Each result is traced.
 */
export class Operator {
  constructor(
    private readonly client: ApiClient,
    private readonly trace: Trace,
    private readonly declared: DeclaredState,
  ) {}

  /** Creates the object, or replaces the spec (and labels) of the existing one. */
  async apply(definition: ResourceDefinition, desired: JsonObject): Promise<void> {
    const { namespace, name } = identity(desired);
    await this.modify(definition, namespace, name, 'apply', (current) => ({
      ...current, metadata: { ...recordAt(current, ['metadata']), labels: recordAt(desired, ['metadata', 'labels']) ?? {} }, spec: recordAt(desired, ['spec']) ?? {},
    }), desired);
  }

  /** Creates the object unless one of its name exists (kinds whose spec cannot change, like Jobs). */
  async createIfAbsent(definition: ResourceDefinition, desired: JsonObject): Promise<void> {
    const { namespace, name } = identity(desired);
    if ((await this.client.get(definition, namespace, name)) !== null) return this.trace.add(`operator: create ${definition.kind} ${namespace}/${name}: exists, left as it is`);
    this.declare(definition, await this.client.create(definition, desired));
    this.trace.add(`operator: create ${definition.kind} ${namespace}/${name}: created`);
  }

  /** Changes the existing object's spec; a missing object is left missing. */
  async change(definition: ResourceDefinition, namespace: string, name: string, what: string, changeSpec: (spec: JsonObject) => JsonObject): Promise<void> {
    await this.modify(definition, namespace, name, what, (current) => ({ ...current, spec: changeSpec(recordAt(current, ['spec']) ?? {}) }), null);
  }

  async delete(definition: ResourceDefinition, namespace: string, name: string, propagation: Propagation): Promise<void> {
    const deleted = await this.client.delete(definition, namespace, name, { propagationPolicy: propagation });
    this.declared.declare({ kind: definition.kind, namespace, name, deleted: true });
    this.trace.add(`operator: delete ${definition.kind} ${namespace}/${name} (${propagation}): ${deleted === null ? 'was absent' : 'done'}`);
  }

  private async modify(definition: ResourceDefinition, namespace: string, name: string, what: string, next: (current: JsonObject) => JsonObject, create: JsonObject | null): Promise<void> {
    for (let attempt = 0; attempt <= operatorConflictRetriesMax; attempt++) {
      const current = await this.client.get(definition, namespace, name);
      if (current === null) {
        if (create === null) return this.trace.add(`operator: ${what} ${definition.kind} ${namespace}/${name}: absent, nothing to do`);
        this.declare(definition, await this.client.create(definition, create));
        return this.trace.add(`operator: ${what} ${definition.kind} ${namespace}/${name}: created`);
      }
      if (isBeingDeleted(current)) return this.trace.add(`operator: ${what} ${definition.kind} ${namespace}/${name}: being deleted, refused`);
      try {
        this.declare(definition, await this.client.update(definition, next(current)));
        return this.trace.add(`operator: ${what} ${definition.kind} ${namespace}/${name}: updated`);
      } catch (error) {
        if (!isApiStatus(error, 409)) throw error;
      }
    }
    this.trace.add(`operator: ${what} ${definition.kind} ${namespace}/${name}: gave up after ${operatorConflictRetriesMax} conflicts`);
  }

  private declare(definition: ResourceDefinition, written: JsonObject): void {
    const { namespace, name } = identity(written);
    const replicas = numberAt(written, ['spec', 'replicas']);
    const image = stringAt(recordsAt(written, ['spec', 'template', 'spec', 'containers'])[0] ?? {}, ['image']);
    this.declared.declare({
      kind: definition.kind, namespace, name, deleted: false,
      ...(replicas === undefined ? {} : { replicas }), ...(image === '' ? {} : { image }),
    });
  }
}

function identity(object: JsonObject): { namespace: string; name: string } {
  return { namespace: stringAt(object, ['metadata', 'namespace']), name: stringAt(object, ['metadata', 'name']) };
}
