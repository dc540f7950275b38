import { spawn } from 'node:child_process';

export interface WrkOptions {
  readonly url: string;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly threads: number;
  /** A new TCP connection per request (`Connection: close`) instead of keep-alive. */
  readonly closeEachRequest: boolean;
  /** Sent as the Host header (the ingress routes on it). */
  readonly host?: string;
}

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors and non-2xx/3xx answers. */
  readonly errors: number;
}

function milliseconds(value: string, unit: string): number {
  const number = Number(value);
  if (unit === 'us') return number / 1000;
  if (unit === 's') return number * 1000;
  if (unit === 'm') return number * 60_000;
  return number;
}

/** Reads wrk's --latency report: Requests/sec, the 50% and 99% lines, socket errors, non-2xx answers. */
export function parseWrkOutput(text: string): WrkResult {
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const percentile = (label: string): number => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s|m)\\b`, 'm').exec(text);
    return match?.[1] === undefined || match[2] === undefined ? Number.NaN : milliseconds(match[1], match[2]);
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const errors = (socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0)) + Number(non2xx?.[1] ?? 0);
  return { requestsPerSecond: Number(rate?.[1] ?? Number.NaN), p50Ms: percentile('50'), p99Ms: percentile('99'), errors };
}

/** Runs the installed wrk once and parses its report. */
export function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [`-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`, '--latency'];
  if (options.closeEachRequest) args.push('-H', 'Connection: close');
  if (options.host !== undefined) args.push('-H', `Host: ${options.host}`);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(parseWrkOutput(output)) : reject(new Error(`wrk exited ${code}: ${output}`))));
  });
}
