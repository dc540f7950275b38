import { connect, createServer } from 'node:net';
import { sleep, type Env } from '../../common/index.ts';
import { hostOf, portOf } from './cluster-plan.ts';

/** True when `HOST:PORT` can be listened on now (nothing else holds it). */
export function isEndpointFree(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: hostOf(endpoint), port: portOf(endpoint), exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Waits until something accepts TCP connections on `HOST:PORT`; false at the deadline. */
export async function waitForListener(env: Env, endpoint: string, timeoutMs: number, pollMs = 50): Promise<boolean> {
  const deadline = env.clock.nowMs() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(portOf(endpoint), hostOf(endpoint), () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return true;
    if (env.clock.nowMs() >= deadline) return false;
    await sleep(env.timers, pollMs);
  }
}
