import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PodWorker, ProcessRuntime, RuntimeRouter, type PodStatus } from '../../agent/index.ts';
import { fixtureServer, lookups, makePod, makeTempDirectory, node, removeDirectory, testEnv, waitFor } from './helpers.ts';

let root: string;
let processRuntime: ProcessRuntime;
let router: RuntimeRouter;
const workers: PodWorker[] = [];

beforeEach(async () => {
  root = await makeTempDirectory();
  processRuntime = new ProcessRuntime({ rootDirectory: root, env: testEnv() });
  router = new RuntimeRouter({ process: processRuntime, oci: { unavailable: 'the OCI runtime is not available on this node: install runc (apt-get install runc)' }, defaultRuntime: 'process' });
});

afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop(0.2);
  await router.close();
  await removeDirectory(root);
});

function run(runtimeClassName?: string): { worker: PodWorker; statuses: PodStatus[] } {
  const statuses: PodStatus[] = [];
  const pod = makePod({ ...(runtimeClassName === undefined ? {} : { runtimeClassName }), containers: [{ name: 'web', image: 'localhost/web:1', command: [node, fixtureServer], ports: [{ containerPort: 8080 }] }] });
  const worker = new PodWorker({ pod, runtime: router, env: testEnv(), lookups: lookups(), onStatus: (status) => void statuses.push(status), configRetryMs: 100 });
  workers.push(worker);
  worker.start();
  return { worker, statuses };
}

describe('RuntimeRouter', () => {
  it('runs a pod without runtimeClassName (or with "process") on the default runtime', async () => {
    for (const runtimeClassName of [undefined, 'process']) {
      const { statuses } = run(runtimeClassName);
      const running = await waitFor(() => statuses.find((status) => status.containerStatuses[0]?.state.running !== undefined), 10_000, 'running');
      expect(running.containerStatuses[0]?.containerID).toMatch(/^process:\/\//);
    }
    expect(router.list().length).toBe(2);
  });

  it('keeps a pod that needs an unavailable runtime waiting, with what to install; an unknown runtimeClassName likewise', async () => {
    const oci = run('oci');
    const waiting = await waitFor(() => oci.statuses.find((status) => status.containerStatuses[0]?.state.waiting?.reason === 'CreateContainerError'), 5_000, 'CreateContainerError');
    expect(waiting.containerStatuses[0]?.state.waiting?.message).toContain('apt-get install runc');
    const unknown = run('gvisor');
    const refused = await waitFor(() => unknown.statuses.find((status) => status.containerStatuses[0]?.state.waiting?.reason === 'CreateContainerError'), 5_000, 'CreateContainerError');
    expect(refused.containerStatuses[0]?.state.waiting?.message).toContain('"gvisor" is not a runtime of this node');
    expect(router.list()).toEqual([]);
  });
});
