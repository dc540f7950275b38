import { isJsonObject, jsonEqual, type JsonObject, type JsonValue } from '../api/json.ts';

/**
 * The pure part of Kubernetes' controller history (pkg/controller/history), shared by the
 * StatefulSet and DaemonSet controllers: what a ControllerRevision holds, which one a template
 * corresponds to, and which old ones to prune.
 */

/** The pod label (and a DaemonSet revision's label) naming the revision a pod was made from. */
export const controllerRevisionHashLabel = 'controller-revision-hash';

/** Kubernetes caps the owner prefix so `<prefix>-<hash>` stays a valid object name. */
export const revisionNamePrefixMax = 223;

/** What a controller knows of one of its ControllerRevisions. */
export interface RevisionView {
  readonly name: string;
  readonly revision: number;
  readonly data: JsonValue | undefined;
}

export type RevisionChoice =
  /** The newest revision already holds this template: nothing to write. */
  | { readonly type: 'existing'; readonly name: string }
  /** An older revision holds it (a rollback): it becomes the newest by taking the next number. */
  | { readonly type: 'renumber'; readonly name: string; readonly revision: number }
  /** No revision holds it: a new one with the next number. */
  | { readonly type: 'create'; readonly revision: number };

/** Objects with their keys sorted, so the same template always serializes to the same bytes (Go's encoding/json sorts map keys too). */
export function sortedKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isJsonObject(value)) return value;
  const sorted: JsonObject = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortedKeys(value[key] ?? null);
  return sorted;
}

/**
 * A revision's data, as Kubernetes' getPatch builds it: a strategic merge patch that replaces the
 * owner's pod template. `kubectl rollout undo` sends exactly this data back as a patch.
 */
export function revisionPatch(template: JsonObject): JsonObject {
  const replaced = sortedKeys({ ...template, $patch: 'replace' });
  return { spec: { template: replaced } };
}

/** The pod template a revision's data holds (the patch without its directive), if it holds one. */
export function templateOfRevision(data: JsonValue | undefined): JsonObject | undefined {
  const spec = isJsonObject(data) ? data['spec'] : undefined;
  const template = isJsonObject(spec) ? spec['template'] : undefined;
  if (!isJsonObject(template)) return undefined;
  const { $patch: _directive, ...rest } = template;
  return rest;
}

export function nextRevisionNumber(revisions: readonly RevisionView[]): number {
  return revisions.reduce((highest, revision) => Math.max(highest, revision.revision), 0) + 1;
}

/** `<owner>-<hash>` (Kubernetes' ControllerRevisionName). */
export function revisionName(owner: string, hash: string): string {
  return `${owner.slice(0, revisionNamePrefixMax)}-${hash}`;
}

const byRevision = (left: RevisionView, right: RevisionView): number => left.revision - right.revision || (left.name < right.name ? -1 : left.name > right.name ? 1 : 0);

/**
 * Which revision the owner's current template is (Kubernetes' FindEqualRevisions plus the
 * "equivalent revision is not the newest: roll back by renumbering it" rule). Pure.
 */
export function chooseRevision(revisions: readonly RevisionView[], data: JsonValue): RevisionChoice {
  const sorted = [...revisions].sort(byRevision);
  const equal = sorted.filter((revision) => jsonEqual(revision.data, data));
  const newestEqual = equal[equal.length - 1];
  const newest = sorted[sorted.length - 1];
  if (newestEqual === undefined) return { type: 'create', revision: nextRevisionNumber(sorted) };
  const othersNewest = sorted.filter((revision) => revision !== newestEqual).reduce((highest, revision) => Math.max(highest, revision.revision), 0);
  if (newestEqual === newest && newestEqual.revision > othersNewest) return { type: 'existing', name: newestEqual.name };
  return { type: 'renumber', name: newestEqual.name, revision: nextRevisionNumber(sorted) };
}

/**
 * Revisions to delete so that at most `historyLimit` non-live ones remain, oldest first
 * (Kubernetes' truncateHistory / cleanupHistory). Live: the current and update revisions and any
 * revision a pod still runs. Pure.
 */
export function revisionsToPrune(revisions: readonly RevisionView[], liveNames: ReadonlySet<string>, historyLimit: number): string[] {
  const history = [...revisions].filter((revision) => !liveNames.has(revision.name)).sort(byRevision);
  const excess = history.length - Math.max(0, historyLimit);
  return excess > 0 ? history.slice(0, excess).map((revision) => revision.name) : [];
}
