import { ApiClient, defaultControllerFactories, replicaSetControllerFactory, type ControllerFactory, type DeletePreconditions, type JsonObject, type ResourceDefinition } from '../../control-plane/index.ts';
import { runControlPlaneSimulation } from './run.ts';

class NoPodDeletes extends ApiClient {
  override delete(definition: ResourceDefinition, namespace: string | undefined, name: string, preconditions?: DeletePreconditions): Promise<JsonObject | null> {
    if (definition.kind === 'Pod') return Promise.resolve(null);
    return super.delete(definition, namespace, name, preconditions);
  }
}
const skipDeletes: ControllerFactory = (context) => replicaSetControllerFactory({ ...context, client: new NoPodDeletes(context.client.context) });
const mode = process.argv[2];
const factories = () => defaultControllerFactories().map((factory) => (factory === replicaSetControllerFactory && mode === 'rs' ? skipDeletes : factory));
let failed = 0;
for (let seed = 1; seed <= 30; seed++) {
  const result = await runControlPlaneSimulation({ seed, factories, deletionHandling: mode === 'kubelet' ? 'confirms-but-keeps-running' : 'stops-then-confirms' });
  if (!result.passed) failed++;
  console.log(seed, result.passed, [...new Set(result.violations.map((v) => v.property))].join(','), result.violations[0]?.message.slice(0, 200) ?? '');
}
console.log('failed', failed);
