// A stand-in "agent" process for the re-adoption test: starts one container on a process runtime
// rooted at argv[2], prints it as JSON, and exits without stopping it (like an agent that crashed).
import { realEnv } from '../../common/index.ts';
import { ProcessRuntime } from '../../agent/index.ts';
import { fixtureServer } from './helpers.ts';

const rootDirectory = process.argv[2] ?? '';
const runtime = new ProcessRuntime({ rootDirectory, env: realEnv(1) });
const container = await runtime.start({
  podUid: 'adopt-pod', podName: 'adopt', podNamespace: 'default', containerName: 'web', instance: 0,
  argv: [process.execPath, fixtureServer], env: new Map([['ROLE', 'adopted']]),
  ports: [{ name: 'http', containerPort: 8080 }], mounts: [],
});
await runtime.close();
process.stdout.write(`${JSON.stringify(container)}\n`);
process.exit(0);
