import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { realEnv, type Env } from '../../common/index.ts';
import type { EnvLookups } from '../../agent/index.ts';
import type { Pod, PodSpec } from '../../agent/index.ts';

export const fixtureServer = fileURLToPath(new URL('../fixtures/http-server.mjs', import.meta.url));
export const node = process.execPath;

export async function makeTempDirectory(prefix = 'flotilla-agent-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

export const testEnv = (): Env => realEnv(1);

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function makePod(spec: PodSpec, name = 'web', uid = `uid-${name}-${Math.random().toString(16).slice(2, 8)}`): Pod {
  return { metadata: { name, namespace: 'default', uid, labels: { app: name } }, spec };
}

export function lookups(configMaps: Record<string, Record<string, string>> = {}, secrets: Record<string, Record<string, string>> = {}): EnvLookups {
  return {
    configMap: (_namespace, name) => configMaps[name],
    secret: (_namespace, name) => secrets[name],
    hostIP: '127.0.0.1',
    podIP: '127.0.0.1',
    nodeAllocatable: { cpu: '4', memory: '8Gi' },
  };
}

export async function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

export async function collect(lines: AsyncIterable<string>, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) {
    out.push(line);
    if (out.length >= limit) break;
  }
  return out;
}
