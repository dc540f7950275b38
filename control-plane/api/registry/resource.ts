import type { JsonObject, JsonValue } from '../json.ts';
import type { ObjectSchema } from '../schema/schema.ts';
import type { FieldError } from '../validation/field-error.ts';
import type { AllocationStrategy } from '../allocation/allocate.ts';

/** One column of a kind's Table, as `kubectl get` shows it (its name is upper-cased by kubectl). */
export interface TableColumn {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  readonly format?: string;
  readonly description: string;
  /** 0: always shown; 1: only with `-o wide`. */
  readonly priority: 0 | 1;
  readonly cell: (object: JsonObject, nowMs: number) => JsonValue;
}

/** Where the scale subresource finds its numbers (as a CRD's scale subresource declares them). */
export interface ScaleSubresource {
  readonly specReplicasPath: readonly string[];
  readonly statusReplicasPath: readonly string[];
  /** A LabelSelector object under the kind, rendered to a string for Scale.status.selector. */
  readonly labelSelectorPath?: readonly string[];
}

/** Which name rule applies to `metadata.name` (Kubernetes differs per kind). */
export type NameRule = 'subdomain' | 'label' | 'dns1035';

/** How a DELETE proceeds for a kind beyond finalizers (Kubernetes' BeforeDelete / graceful deletion). */
export interface DeletionStrategy {
  /**
   * Seconds the object stays, marked with a deletionTimestamp, before it may go (0: at once).
   * `requested` is DeleteOptions.gracePeriodSeconds when the client gave one.
   */
  readonly gracePeriodSeconds: (object: JsonObject, requested: number | undefined) => number;
  /** Changes made when the object is marked for deletion (namespaces: phase Terminating). */
  readonly onMarked?: (object: JsonObject) => void;
  /** Whether something besides metadata.finalizers still keeps it (namespaces: spec.finalizers). */
  readonly blocksRemoval?: (object: JsonObject) => boolean;
}

/** Most kinds: no grace period, nothing beyond finalizers. */
export const immediateDeletion: DeletionStrategy = { gracePeriodSeconds: () => 0 };

/**
 * Everything the API server knows about one kind, declared once. Handlers, discovery, OpenAPI,
 * Table output and patching all read this; adding a kind is adding one declaration.
 */
export interface ResourceDefinition {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly namespaced: boolean;
  /** The whole object's schema (apiVersion, kind, metadata and the kind's own fields). */
  readonly schema: ObjectSchema;
  readonly subresources: {
    readonly status: boolean;
    readonly scale?: ScaleSubresource;
    /** Streaming subresources served by the node's agent (pods: log, exec, attach, portforward). */
    readonly connect?: readonly string[];
    /** POST <plural>/<name>/binding assigns the object to a node (pods; the scheduler uses it). */
    readonly binding?: boolean;
  };
  /** Whether metadata.generation counts changes outside metadata and status. */
  readonly tracksGeneration: boolean;
  readonly nameRule: NameRule;
  /** Verbs beyond the usual set are not supported; a kind may drop some (e.g. no deletecollection). */
  readonly verbs: readonly string[];
  /** Fills defaults in place (after a create/update body is decoded, before validation). */
  readonly defaults: (object: JsonObject) => void;
  /** Kind-specific validation; `old` is the stored object on update. Metadata is validated for all kinds. */
  readonly validate: (object: JsonObject, old: JsonObject | null) => FieldError[];
  /** Columns after NAME (NAME is added by the table renderer unless `omitNameColumn`). */
  readonly columns: readonly TableColumn[];
  readonly omitNameColumn: boolean;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  readonly fieldSelectors: Readonly<Record<string, (object: JsonObject) => string>>;
  /** Whether a create starts from an empty status (Kubernetes' PrepareForCreate for most kinds with a status subresource). */
  readonly resetStatusOnCreate: boolean;
  /** Whether DELETE answers the deleted object (pods) rather than a Success Status. */
  readonly deleteReturnsObject: boolean;
  readonly deletion: DeletionStrategy;
  /** Values only one object may hold (a Service's cluster IP and node ports); absent: none. */
  readonly allocation?: AllocationStrategy;
}

export const defaultVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

export type ResourceDeclaration = Pick<ResourceDefinition, 'group' | 'version' | 'kind' | 'plural' | 'namespaced' | 'schema'> &
  Partial<Omit<ResourceDefinition, 'group' | 'version' | 'kind' | 'plural' | 'namespaced' | 'schema'>>;

/** Fills the usual values so that a declaration says only what is particular to its kind. */
export function defineResource(declaration: ResourceDeclaration): ResourceDefinition {
  return {
    resetStatusOnCreate: declaration.subresources?.status ?? false,
    deleteReturnsObject: false,
    deletion: immediateDeletion,
    singular: declaration.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: { status: false },
    tracksGeneration: false,
    nameRule: 'subdomain',
    verbs: defaultVerbs,
    defaults: () => undefined,
    validate: () => [],
    columns: [],
    omitNameColumn: false,
    fieldSelectors: {},
    ...declaration,
  };
}

export function apiVersionOf(definition: Pick<ResourceDefinition, 'group' | 'version'>): string {
  return definition.group === '' ? definition.version : `${definition.group}/${definition.version}`;
}
