import { ApiClient, createInProcessContext, defaultControllerFactories, deploymentControllerFactory, type ControllerFactory, type ObjectStore, type UpdateResult } from '../../control-plane/index.ts';
import { runControlPlaneSimulation } from './run.ts';

function blindRetries(inner: ObjectStore): ObjectStore {
  return {
    currentRevision: () => inner.currentRevision(),
    get: (key, options) => inner.get(key, options),
    list: (prefix, options) => inner.list(prefix, options),
    watch: (prefix, options) => inner.watch(prefix, options),
    create: (key, value) => inner.create(key, value),
    delete: (key, revision) => inner.delete(key, revision),
    async update(key, value, expectedModRevision): Promise<UpdateResult> {
      let result = await inner.update(key, value, expectedModRevision);
      for (let attempt = 0; attempt < 3 && !result.ok && result.reason === 'conflict' && result.current !== null; attempt++) result = await inner.update(key, value, result.current.modRevision);
      return result;
    },
  };
}
const lww: ControllerFactory = (context) => {
  const api = context.client.context;
  const client = new ApiClient(createInProcessContext({ store: blindRetries(api.store), env: api.env, logger: api.logger, registry: api.registry }));
  return deploymentControllerFactory({ ...context, client });
};
const broken = () => defaultControllerFactories().map((f) => (f === deploymentControllerFactory ? lww : f));
const actions = [
  { afterMs: 0, action: { kind: 'apply-deployment', slot: 0, replicas: 2, image: 0 } },
  { afterMs: 6000, action: { kind: 'overlap-leaders', overlapMs: 5000, lateWriteMs: 1500 } },
  { afterMs: 0, action: { kind: 'roll-deployment', slot: 0, image: 1 } },
  { afterMs: 2000, action: { kind: 'roll-deployment', slot: 0, image: 2 } },
  { afterMs: 6000, action: { kind: 'apply-service', slot: 1, target: 0 } },
] as const;
for (const factories of [broken, undefined]) {
  const result = await runControlPlaneSimulation({ seed: 4, actions, ...(factories === undefined ? {} : { factories }) });
  console.log(result.passed, JSON.stringify(result.counters.lateWrites), result.violations.map((v) => `${v.property}: ${v.message}`));
}
