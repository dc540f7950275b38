import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import type { ApiEndpoint } from './api-client.ts';

/** When each pod was first seen bound to a node, Running and Ready through the API's watch. */
export interface PodMilestones {
  scheduledAtMs?: number;
  runningAtMs?: number;
  readyAtMs?: number;
}

/** Watch lines held before a newline, at most (a pod object is a few KiB). */
const lineBytesMax = 4 * 1024 * 1024;

interface WatchedPod {
  readonly metadata?: { readonly name?: string };
  readonly spec?: { readonly nodeName?: string };
  readonly status?: { readonly phase?: string; readonly conditions?: readonly { readonly type?: string; readonly status?: string }[] };
}

/**
 * Watches a namespace's pods from `resourceVersion` and notes, per pod name, the arrival time of
 * the first event showing it Running and the first showing it Ready — what a client of the API
 * sees, the way Kubernetes' pod startup SLI is measured.
 */
export class PodMilestoneWatch {
  readonly milestones = new Map<string, PodMilestones>();
  private current: ClientRequest | undefined;

  constructor(private readonly endpoint: ApiEndpoint, private readonly namespace: string, private readonly nowMs: () => number) {}

  start(resourceVersion: string): void {
    const url = new URL(`/api/v1/namespaces/${this.namespace}/pods?watch=true&resourceVersion=${resourceVersion}`, this.endpoint.url);
    this.current = request(url, { headers: { Authorization: `Bearer ${this.endpoint.token}` }, ca: this.endpoint.ca }, (response) => {
      let buffer = '';
      response.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.length > lineBytesMax) throw new Error('watch line too long');
        for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
          this.onEvent(JSON.parse(buffer.slice(0, newline)) as { type: string; object: WatchedPod });
          buffer = buffer.slice(newline + 1);
        }
      });
    });
    this.current.on('error', () => undefined);
    this.current.end();
  }

  stop(): void {
    this.current?.destroy();
  }

  private onEvent(event: { type: string; object: WatchedPod }): void {
    const name = event.object.metadata?.name;
    if (name === undefined || event.type === 'DELETED') return;
    const seen = this.milestones.get(name) ?? {};
    const nowMs = this.nowMs();
    if (seen.scheduledAtMs === undefined && (event.object.spec?.nodeName ?? '') !== '') seen.scheduledAtMs = nowMs;
    if (seen.runningAtMs === undefined && event.object.status?.phase === 'Running') seen.runningAtMs = nowMs;
    const ready = event.object.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;
    if (seen.readyAtMs === undefined && ready) seen.readyAtMs = nowMs;
    this.milestones.set(name, seen);
  }
}
