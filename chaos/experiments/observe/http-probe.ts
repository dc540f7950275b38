import type { ProbeAttemptFunction } from './probe-loop.ts';

/** A GET of the URL (a Service or Ingress address): success is the expected status. */
export function httpProbe(url: string, expectStatus: number): ProbeAttemptFunction {
  return async (signal) => {
    const response = await fetch(url, { signal, redirect: 'manual', headers: { 'user-agent': 'flotilla-chaos-probe' } });
    // The body is not needed: cancelling it frees the connection without reading a large page.
    await response.body?.cancel();
    if (response.status !== expectStatus) throw new Error(`status ${response.status} (expected ${expectStatus})`);
  };
}
