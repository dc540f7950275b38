import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, FlotillaError } from '../../common/index.ts';
import { bootstrapAttemptsMax, bootstrapDefaultStorageClass, bootstrapNamespaces } from '../../control-plane/api/bootstrap.ts';
import type { ApiContext } from '../../control-plane/api/context.ts';
import type { ObjectStore } from '../../control-plane/api/object-store.ts';
import { namespaceResource } from '../../control-plane/api/registry/kinds/namespace.ts';
import { storageClassResource } from '../../control-plane/api/registry/kinds/storage-class.ts';
import { ControlPlaneHarness } from './controllers-harness.ts';

/**
 * The objects every replica makes at start survive a leader change during the write (found by
 * `flotilla chaos e2e`: a replica whose namespace create lost its leader mid-proposal exited with
 * "the Kubernetes API could not start"). The write is retried; a repeat of one that landed answers
 * AlreadyExists, which is success.
 */
let harness: ControlPlaneHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** The same context over a store whose first `failures` creates throw the error a leader change gives, after (`landed`) or before doing the write. */
function withFailingCreates(context: ApiContext, failures: number, landed: boolean): ApiContext {
  let left = failures;
  const store: ObjectStore = Object.create(context.store) as ObjectStore;
  store.create = async (key, value, reservations) => {
    if (left > 0) {
      left--;
      if (landed) await context.store.create(key, value, reservations);
      throw new FlotillaError(ErrorCode.raftNotLeader, 'leadership lost; the outcome of this proposal is unknown', { details: { outcome: 'unknown' } });
    }
    return context.store.create(key, value, reservations);
  };
  return { ...context, store };
}

describe('start-up objects under a leader change', () => {
  it('retries a create whose outcome is unknown, whether or not it landed', async () => {
    harness = await ControlPlaneHarness.start({ startControllers: false });
    const context = harness.client.context;
    await bootstrapNamespaces(withFailingCreates(context, 2, true));
    await bootstrapDefaultStorageClass(withFailingCreates(context, 3, false));
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) expect(await harness.client.get(namespaceResource, undefined, name)).not.toBeNull();
    expect(await harness.client.get(storageClassResource, undefined, 'local-path')).not.toBeNull();
  });

  it('gives up after its attempts, with the store\'s error', async () => {
    harness = await ControlPlaneHarness.start({ startControllers: false });
    const context = harness.client.context;
    await expect(bootstrapDefaultStorageClass(withFailingCreates(context, bootstrapAttemptsMax + 1, false))).rejects.toThrow('leadership lost');
  }, 20_000);
});
