import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Timers } from '../../common/index.ts';
import type { Container, ExecAction, HttpGetAction, TcpSocketAction } from '../pod-types.ts';
import { resolveTargetPort } from '../ports.ts';
import type { ExecResult, PortMapping } from '../runtime.ts';
import type { ProbeOutcome } from './probe-tracker.ts';

/** kubelet reads at most 10 KiB of a probe's response body; the rest is not our business. */
export const probeBodyBytesMax = 10 * 1024;

/** What a probe needs to reach one container instance. */
export interface ProbeTarget {
  /** The pod IP; for the process runtime, the host's. */
  readonly host: string;
  readonly container: Container;
  readonly ports: readonly PortMapping[];
  readonly timers: Timers;
  exec(command: readonly string[], timeoutMs: number): Promise<ExecResult>;
}

export interface ProbeAttempt {
  readonly outcome: ProbeOutcome;
  readonly message: string;
}

export interface ProbeAction {
  readonly exec?: ExecAction;
  readonly httpGet?: HttpGetAction;
  readonly tcpSocket?: TcpSocketAction;
}

/** Runs one probe (or lifecycle hook) attempt; never throws, every error is a failure. */
export async function runProbe(action: ProbeAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeAttempt> {
  try {
    if (action.httpGet !== undefined) return await probeHttp(action.httpGet, target, timeoutMs);
    if (action.tcpSocket !== undefined) return await probeTcp(action.tcpSocket, target, timeoutMs);
    if (action.exec !== undefined) return await probeExec(action.exec, target, timeoutMs);
    return { outcome: 'failure', message: 'probe has no handler' };
  } catch (error) {
    return { outcome: 'failure', message: error instanceof Error ? error.message : String(error) };
  }
}

/** HTTP GET; 200–399 is success (a redirect is not followed and counts as success, as kubelet's). */
function probeHttp(action: HttpGetAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeAttempt> {
  const port = resolveTargetPort(action.port, target.container, target.ports);
  if (port === undefined) return Promise.resolve({ outcome: 'failure', message: `unresolvable port ${String(action.port)}` });
  const headers: Record<string, string> = { 'user-agent': 'kube-probe/flotilla', accept: '*/*' };
  for (const header of action.httpHeaders ?? []) headers[header.name.toLowerCase()] = header.value;
  const send = action.scheme === 'HTTPS' ? httpsRequest : httpRequest;
  return new Promise<ProbeAttempt>((resolve) => {
    const settle = settleOnce(resolve);
    const request = send({
      host: action.host ?? target.host, port, path: action.path ?? '/', method: 'GET', headers,
      // kubelet skips TLS verification for HTTPS probes.
      rejectUnauthorized: false, agent: false,
    }, (response) => {
      const status = response.statusCode ?? 0;
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > probeBodyBytesMax) response.destroy();
      });
      response.on('close', () => settle(status >= 200 && status < 400 ? { outcome: 'success', message: `HTTP ${status}` } : { outcome: 'failure', message: `HTTP probe failed with statuscode: ${status}` }));
    });
    const timer = target.timers.setTimeout(() => {
      request.destroy(new Error(`timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    request.on('error', (error) => settle({ outcome: 'failure', message: error.message }));
    request.on('close', () => timer.cancel());
    request.end();
  });
}

function probeTcp(action: TcpSocketAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeAttempt> {
  const port = resolveTargetPort(action.port, target.container, target.ports);
  if (port === undefined) return Promise.resolve({ outcome: 'failure', message: `unresolvable port ${String(action.port)}` });
  return new Promise<ProbeAttempt>((resolve) => {
    const settle = settleOnce(resolve);
    const socket = connect({ host: action.host ?? target.host, port });
    const timer = target.timers.setTimeout(() => {
      socket.destroy();
      settle({ outcome: 'failure', message: `dial timeout after ${timeoutMs} ms` });
    }, timeoutMs);
    socket.once('connect', () => {
      timer.cancel();
      socket.destroy();
      settle({ outcome: 'success', message: 'connected' });
    });
    socket.once('error', (error) => {
      timer.cancel();
      settle({ outcome: 'failure', message: error.message });
    });
  });
}

async function probeExec(action: ExecAction, target: ProbeTarget, timeoutMs: number): Promise<ProbeAttempt> {
  const result = await target.exec(action.command, timeoutMs);
  if (result.timedOut) return { outcome: 'failure', message: `command timed out after ${timeoutMs} ms` };
  return result.exitCode === 0
    ? { outcome: 'success', message: result.stdout.slice(0, 256) }
    : { outcome: 'failure', message: `exit ${result.exitCode}: ${(result.stderr || result.stdout).slice(0, 256)}` };
}

function settleOnce(resolve: (attempt: ProbeAttempt) => void): (attempt: ProbeAttempt) => void {
  let done = false;
  return (attempt) => {
    if (done) return;
    done = true;
    resolve(attempt);
  };
}
