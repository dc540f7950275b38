import { ApiClient, defaultControllerFactories, replicaSetControllerFactory, type ControllerFactory, type DeletePreconditions, type JsonObject, type ResourceDefinition } from '../../control-plane/index.ts';
import { runControlPlaneSimCommand } from './command.ts';
class NoPodDeletes extends ApiClient {
  override delete(definition: ResourceDefinition, namespace: string | undefined, name: string, preconditions?: DeletePreconditions): Promise<JsonObject | null> {
    if (definition.kind === 'Pod') return Promise.resolve(null);
    return super.delete(definition, namespace, name, preconditions);
  }
}
const skipDeletes: ControllerFactory = (context) => replicaSetControllerFactory({ ...context, client: new NoPodDeletes(context.client.context) });
const factories = () => defaultControllerFactories().map((factory) => (factory === replicaSetControllerFactory ? skipDeletes : factory));
await runControlPlaneSimCommand({ seeds: 4, seedStart: 1, verbose: false, variant: { factories } });
