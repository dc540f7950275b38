import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/index.ts';
import { PodSource, PodSourceLimits, type PodSourceHandler } from '../../agent/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { encodeMessage } from '../../control-plane/nats/index.ts';
import { ManualEnv } from './manual-env.ts';

const pod = (name: string, resourceVersion: number): JsonObject => ({ metadata: { name, uid: `uid-${name}`, resourceVersion: String(resourceVersion) }, spec: { nodeName: 'n', containers: [] } });

/** A control plane whose list answers the test controls; and the pod source's view as a handler log. */
class Scenario implements PodSourceHandler {
  readonly env = new ManualEnv();
  readonly log: string[] = [];
  lists = 0;
  answers: Array<() => Promise<{ pods: JsonObject[]; revision: number }>> = [];
  private deliver: (bytes: Uint8Array) => void = () => undefined;
  readonly source: PodSource;

  constructor() {
    this.source = new PodSource({ listPods: () => {
      this.lists++;
      const next = this.answers.shift();
      return next === undefined ? Promise.resolve({ pods: [], revision: 1 }) : next();
    } }, this, this.env, silentLogger);
  }

  start(): void {
    this.source.start((onMessage) => {
      this.deliver = onMessage;
      return { unsubscribe: () => undefined };
    });
  }

  send(message: object): void {
    this.deliver(encodeMessage({ version: 1, ...message }));
  }

  synced(pods: readonly JsonObject[], revision: number): void {
    this.log.push(`synced@${revision}:${pods.map((item) => String((item['metadata'] as JsonObject)['name'])).join(',')}`);
  }

  upsert(object: JsonObject, revision: number): void {
    this.log.push(`upsert@${revision}:${String((object['metadata'] as JsonObject)['name'])}`);
  }

  remove(object: JsonObject, revision: number): void {
    this.log.push(`remove@${revision}:${String((object['metadata'] as JsonObject)['name'])}`);
  }
}

const change = (epoch: string, sequence: number, revision: number, type: string, name: string, since = 0) => ({ kind: 'change', epoch, sequence, revision, since, type, pod: pod(name, revision) });
const progress = (epoch: string, sequence: number, revision: number, since = 0) => ({ kind: 'progress', epoch, sequence, revision, since });

describe('PodSource (list + watch over NATS)', () => {
  it('lists, then applies changes; changes that arrived during the list are applied after it only if newer', async () => {
    const scenario = new Scenario();
    let finishList: (value: { pods: JsonObject[]; revision: number }) => void = () => undefined;
    scenario.answers.push(() => new Promise((resolve) => {
      finishList = resolve;
    }));
    scenario.start();
    await scenario.env.advance(10);
    scenario.send(change('e', 1, 5, 'added', 'old'));
    scenario.send(change('e', 2, 12, 'added', 'new'));
    finishList({ pods: [pod('old', 5)], revision: 10 });
    await scenario.env.advance(10);
    scenario.send(change('e', 3, 13, 'deleted', 'old'));
    await scenario.env.advance(10);
    expect(scenario.log).toEqual(['synced@10:old', 'upsert@12:new', 'remove@13:old']);
    expect(scenario.lists).toBe(1);
  });

  it('re-lists on a sequence gap and on a new epoch, but not on consecutive messages', async () => {
    const scenario = new Scenario();
    scenario.start();
    await scenario.env.advance(10);
    scenario.send(progress('e', 1, 1));
    scenario.send(progress('e', 2, 1));
    await scenario.env.advance(2_000);
    expect(scenario.lists).toBe(1);
    scenario.send(progress('e', 4, 1));
    await scenario.env.advance(2_000);
    expect(scenario.lists).toBe(2);
    scenario.send(progress('f', 1, 1));
    await scenario.env.advance(2_000);
    expect(scenario.lists).toBe(3);
  });

  it('re-lists when the publisher started watching after its last list (nothing says what happened in between)', async () => {
    const scenario = new Scenario();
    scenario.answers.push(() => Promise.resolve({ pods: [], revision: 7 }), () => Promise.resolve({ pods: [], revision: 9 }));
    scenario.start();
    await scenario.env.advance(10);
    scenario.send(progress('late', 1, 9, 9));
    await scenario.env.advance(5_000);
    // The second list (linearizable, so at or after 9) is complete: no more.
    expect(scenario.lists).toBe(2);
    expect(scenario.log).toEqual(['synced@7:', 'synced@9:']);
  });

  it('re-lists after a reconnect, and after silence, at most once per relistIntervalMinMs', async () => {
    const scenario = new Scenario();
    scenario.start();
    await scenario.env.advance(10);
    scenario.source.onReconnect();
    scenario.source.onReconnect();
    scenario.source.onReconnect();
    await scenario.env.advance(PodSourceLimits.relistIntervalMinMs * 2);
    expect(scenario.lists).toBe(2);
    await scenario.env.advance(16_000);
    expect(scenario.lists).toBe(3);
  });

  it('keeps retrying a list that fails, with growing pauses', async () => {
    const scenario = new Scenario();
    for (let attempt = 0; attempt < 4; attempt++) scenario.answers.push(() => Promise.reject(new Error('no answer')));
    scenario.start();
    await scenario.env.advance(100);
    expect(scenario.lists).toBe(1);
    await scenario.env.advance(10_000);
    expect(scenario.lists).toBe(5);
    expect(scenario.log).toEqual(['synced@1:']);
  });
});
