import { Session } from 'node:inspector';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Environment variable: a directory to write a V8 CPU profile of this server into, at shutdown. */
export const cpuProfileDirectoryVariable = 'FLOTILLA_CPU_PROFILE_DIR';

export interface CpuProfiler {
  /** Stops profiling and writes `<dir>/flotilla-<pid>.cpuprofile` (open it in Chrome DevTools). */
  stop(): Promise<string | null>;
}

/**
 * Profiles the whole server with the in-process inspector: `node --cpu-prof` cannot be passed
 * through NODE_OPTIONS, and the servers of a benchmark are started by a harness, so an environment
 * variable is the one knob that reaches them. Returns null when the variable is not set.
 */
export async function startCpuProfile(directory: string | undefined): Promise<CpuProfiler | null> {
  if (directory === undefined || directory === '') return null;
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error === null ? resolve(result) : reject(error))));
  await post('Profiler.enable');
  // 200 µs: fine enough for sub-millisecond request paths, coarse enough not to skew them.
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    stop: async () => {
      const result = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      await mkdir(directory, { recursive: true });
      const path = join(directory, `flotilla-${process.pid}.cpuprofile`);
      await writeFile(path, JSON.stringify(result.profile));
      return path;
    },
  };
}
