import type { Env, Logger } from '../../common/index.ts';
import { readClusterState } from './cluster-state.ts';
import { LocalCluster } from './local-cluster.ts';
import { stopSupervisor } from './supervisor-record.ts';

/**
 * `flotilla down`: a foreground `flotilla up` is asked to stop (it stops everything and prints
 * so); then every component is stopped here too, which finds nothing left in that case and does
 * the whole job for a detached cluster or one whose `up` was killed. The data stays.
 */
export async function runDown(directory: string, env: Env, logger: Logger, write: (text: string) => void): Promise<number> {
  if ((await readClusterState(directory)) === null) {
    write(`Nothing to stop: no cluster in ${directory}\n`);
    return 0;
  }
  if (await stopSupervisor(env, directory)) write('The foreground flotilla up stopped the cluster.\n');
  const cluster = await LocalCluster.attach(directory, env, logger);
  await cluster.down();
  const left = (await cluster.status()).filter((component) => component.state !== 'stopped');
  if (left.length > 0) {
    write(`Still running: ${left.map((component) => `${component.name} (pid ${component.pid})`).join(', ')}\n`);
    return 1;
  }
  write(`Stopped the cluster in ${cluster.directory}; flotilla up --dir ${directory} brings it back with its data.\n`);
  return 0;
}
