import { assert } from '../../common/index.ts';

/** What the operator last asked for one object (replicas and image where the kind has them). */
export interface DeclaredObject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly deleted: boolean;
  readonly replicas?: number;
  readonly image?: string;
}

/** Objects the operator declares in one run (a handful of fixed slots; the bound is a guard). */
export const declaredObjectsMax = 100;

/**
 * The operator's intent, recorded as its commands succeed: the state the control plane must keep
 * (no controller, leader or late write may revert an operator's change) and reach.
 */
export class DeclaredState {
  private readonly objects = new Map<string, DeclaredObject>();

  declare(object: DeclaredObject): void {
    const key = `${object.kind}/${object.namespace}/${object.name}`;
    assert(this.objects.has(key) || this.objects.size < declaredObjectsMax, 'too many declared objects');
    this.objects.set(key, object);
  }

  all(): DeclaredObject[] {
    return [...this.objects.values()];
  }
}
