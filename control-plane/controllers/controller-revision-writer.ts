import { asNumber, cloneJson, getPath, jsonEqual, type JsonObject, type JsonValue } from '../api/json.ts';
import { controllerRevisionResource } from '../api/registry/kinds/controller-revision.ts';
import type { ResourceDefinition } from '../api/registry/resource.ts';
import {
  annotationsOf, controllerOf, controllerReference, isApiStatus, isBeingDeleted, nameOf, namespaceOf, objectKeyFor, uidOf, type ApiClient, type Informer,
} from '../controller-runtime/index.ts';
import { chooseRevision, nextRevisionNumber, revisionName, type RevisionView } from './controller-revision-history.ts';
import { controllerIndex, controllerUids } from './owner-index.ts';
import { templateHash } from './template-hash.ts';
import { observeDeletion } from './observe-deletion.ts';

/** Names tried per reconcile when `<owner>-<hash>` is taken by another owner's revision (each try bumps collisionCount). */
export const revisionCollisionRetriesMax = 5;

/** What a StatefulSet or DaemonSet asks of its history. */
export interface RevisionRequest {
  readonly owner: JsonObject;
  readonly ownerDefinition: ResourceDefinition;
  /** The revision's data (revisionPatch of the owner's template). */
  readonly data: JsonObject;
  /** What the name's hash is computed from (Kubernetes: the patch for a StatefulSet, the template for a DaemonSet). */
  readonly hashInput: JsonValue;
  /** The label key under which the revision carries its hash. */
  readonly hashLabel: string;
  /** The template's labels, copied onto the revision (kubectl finds revisions by the owner's selector). */
  readonly labels: Readonly<Record<string, string>>;
  readonly collisionCount: number;
}

export interface EnsuredRevision {
  readonly revision: JsonObject;
  /** The hash in the revision's name (its label, or the one computed when it was created here). */
  readonly hash: string;
  /** Possibly higher than requested, after a name collision: the owner's status must record it. */
  readonly collisionCount: number;
}

export function revisionViewOf(revision: JsonObject): RevisionView {
  return { name: nameOf(revision), revision: asNumber(revision['revision']) ?? 0, data: revision['data'] };
}

/**
 * Reads and writes an owner's ControllerRevisions through the shared informer. Every write is a
 * compare-and-swap (create fails if present; update carries the resourceVersion read).
 */
export class ControllerRevisionWriter {
  constructor(
    private readonly client: ApiClient,
    private readonly revisions: Informer,
  ) {
    revisions.addIndex(controllerIndex, controllerUids);
  }

  /** The owner's live revisions (controlled by it, not being deleted). */
  owned(owner: JsonObject): JsonObject[] {
    return this.revisions.cache.byIndex(controllerIndex, uidOf(owner)).filter((revision) => !isBeingDeleted(revision));
  }

  /** The revision of the owner's current template: found, renumbered (rollback) or created. */
  async ensure(request: RevisionRequest): Promise<EnsuredRevision> {
    const owned = this.owned(request.owner);
    const choice = chooseRevision(owned.map(revisionViewOf), request.data);
    const found = choice.type === 'create' ? undefined : owned.find((revision) => nameOf(revision) === choice.name);
    if (choice.type === 'existing' && found !== undefined) return this.ensured(found, request, request.collisionCount);
    if (choice.type === 'renumber' && found !== undefined) {
      const next = cloneJson(found);
      next['revision'] = choice.revision;
      const written = await this.client.update(controllerRevisionResource, next);
      this.revisions.observe(written);
      return this.ensured(written, request, request.collisionCount);
    }
    return this.create(request, choice.type === 'create' ? choice.revision : nextRevisionNumber(owned.map(revisionViewOf)));
  }

  private async create(request: RevisionRequest, number: number): Promise<EnsuredRevision> {
    let collisionCount = request.collisionCount;
    for (let attempt = 0; attempt < revisionCollisionRetriesMax; attempt++) {
      const hash = templateHash(request.hashInput, collisionCount);
      const name = revisionName(nameOf(request.owner), hash);
      const body: JsonObject = {
        apiVersion: 'apps/v1', kind: 'ControllerRevision',
        metadata: {
          name, namespace: namespaceOf(request.owner),
          labels: { ...request.labels, [request.hashLabel]: hash },
          annotations: annotationsOf(request.owner),
          ownerReferences: [controllerReference(request.owner, request.ownerDefinition)],
        },
        data: request.data,
        revision: number,
      };
      try {
        const created = await this.client.create(controllerRevisionResource, body);
        this.revisions.observe(created);
        return { revision: created, hash, collisionCount };
      } catch (error) {
        if (!isApiStatus(error, 409)) throw error;
      }
      const existing = await this.client.get(controllerRevisionResource, namespaceOf(request.owner), name);
      // Our own earlier create whose watch event has not arrived yet: it is the one.
      if (existing !== null && controllerOf(existing)?.uid === uidOf(request.owner) && jsonEqual(existing['data'], request.data)) {
        this.revisions.observe(existing);
        return { revision: existing, hash, collisionCount };
      }
      // Another template (or owner) holds this name: Kubernetes' collisionCount changes the hash.
      if (existing !== null) collisionCount++;
    }
    throw new Error(`no free ControllerRevision name for ${nameOf(request.owner)} after ${revisionCollisionRetriesMax} collisions`);
  }

  private ensured(revision: JsonObject, request: RevisionRequest, collisionCount: number): EnsuredRevision {
    const label = getPath(revision, ['metadata', 'labels', request.hashLabel]);
    const hash = typeof label === 'string' ? label : templateHash(request.hashInput, collisionCount);
    return { revision, hash, collisionCount };
  }

  /** Deletes the named revisions of the owner (uid preconditions: a revision re-created meanwhile is kept). */
  async delete(owner: JsonObject, names: readonly string[]): Promise<void> {
    for (const name of names) {
      const revision = this.revisions.cache.get(objectKeyFor(namespaceOf(owner), name));
      if (revision === undefined) continue;
      const deleted = await this.client.delete(controllerRevisionResource, namespaceOf(owner), name, { uid: uidOf(revision) });
      observeDeletion(this.revisions, deleted);
    }
  }
}
