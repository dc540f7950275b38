// Worker threads do not inherit the main thread's loader: register tsx here, then load the worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
