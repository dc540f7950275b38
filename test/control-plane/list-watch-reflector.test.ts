import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/index.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';
import { decodeObjectEvent, encodeMessage, ListWatchReflector, ReflectorLimits, type ListedObjects, type ObjectEventMessage } from '../../control-plane/nats/index.ts';
import { ManualEnv } from '../agent/manual-env.ts';

const service = (name: string, resourceVersion: number): JsonObject => ({ metadata: { name, namespace: 'default', resourceVersion: String(resourceVersion) } });
const nameOf = (object: JsonObject): string => String((object['metadata'] as JsonObject)['name']);

/** A control plane whose list answers the test controls, and the reflector's view as a log. */
class Scenario {
  readonly env = new ManualEnv();
  readonly log: string[] = [];
  lists = 0;
  /** What a list answers when the test queued nothing. */
  defaultRevision = 1;
  answers: Array<() => Promise<ListedObjects>> = [];
  private deliver: (bytes: Uint8Array) => void = () => undefined;
  readonly reflector = new ListWatchReflector<ObjectEventMessage>({
    what: 'services',
    list: () => {
      this.lists++;
      return this.answers.shift()?.() ?? Promise.resolve({ objects: [], revision: this.defaultRevision });
    },
    decode: (bytes) => decodeObjectEvent(bytes, 'services'),
    handler: {
      listed: (objects, revision) => this.log.push(`listed@${revision}:${objects.map(nameOf).join(',')}`),
      changed: (message) => this.log.push(`${message.type}@${message.revision}:${nameOf(message.object)}`),
      interrupted: (reason) => this.log.push(`interrupted:${reason}`),
    },
    env: this.env, logger: silentLogger,
  });

  start(): void {
    this.reflector.start((onMessage) => {
      this.deliver = onMessage;
      return { unsubscribe: () => undefined };
    });
  }

  send(message: object): void {
    this.deliver(encodeMessage({ version: 1, ...message }));
  }
}

const change = (epoch: string, sequence: number, revision: number, type: string, name: string, since = 0) => ({ kind: 'change', epoch, sequence, revision, since, type, object: service(name, revision) });
const progress = (epoch: string, sequence: number, revision: number, since = 0) => ({ kind: 'progress', epoch, sequence, revision, since });

describe('ListWatchReflector (list + watch of a cluster-wide kind over NATS)', () => {
  it('lists, then applies changes; changes that arrived during the list are applied after it only if newer', async () => {
    const scenario = new Scenario();
    let finish: (value: ListedObjects) => void = () => undefined;
    scenario.answers.push(() => new Promise((resolve) => (finish = resolve)));
    scenario.start();
    await scenario.env.advance(10);
    scenario.send(change('e', 1, 5, 'added', 'old'));
    scenario.send(change('e', 2, 12, 'added', 'new'));
    finish({ objects: [service('old', 5)], revision: 10 });
    await scenario.env.advance(10);
    scenario.send(change('e', 3, 13, 'deleted', 'old'));
    await scenario.env.advance(10);
    expect(scenario.log).toEqual(['listed@10:old', 'added@12:new', 'deleted@13:old']);
    expect(scenario.lists).toBe(1);
  });

  it('re-lists on a gap, a new epoch, a publisher that started after the list, a reconnect and silence — not on consecutive messages', async () => {
    const scenario = new Scenario();
    scenario.defaultRevision = 9;
    for (const revision of [7, 7, 7, 1]) scenario.answers.push(() => Promise.resolve({ objects: [], revision }));
    scenario.start();
    await scenario.env.advance(10);
    scenario.send(progress('e', 1, 7));
    scenario.send(progress('e', 2, 7));
    await scenario.env.advance(2_000);
    expect(scenario.lists).toBe(1);
    scenario.send(progress('e', 4, 7));
    await scenario.env.advance(2_000);
    expect(scenario.lists).toBe(2);
    scenario.send(progress('f', 1, 7));
    await scenario.env.advance(2_000);
    expect(scenario.lists).toBe(3);
    scenario.reflector.onReconnect();
    scenario.send(progress('late', 1, 9, 9));
    await scenario.env.advance(2_000);
    // The reconnect's list (revision 1) is older than where the new publisher started (9): once more.
    expect(scenario.lists).toBe(5);
    await scenario.env.advance(ReflectorLimits.resyncSilenceMs + 1_000);
    expect(scenario.lists).toBe(6);
  });

  it('keeps retrying a failed list with growing pauses, saying so, and keeps what it had', async () => {
    const scenario = new Scenario();
    scenario.answers.push(() => Promise.resolve({ objects: [service('kept', 3)], revision: 3 }));
    for (let attempt = 0; attempt < 3; attempt++) scenario.answers.push(() => Promise.reject(new Error('no answer')));
    scenario.start();
    await scenario.env.advance(10);
    scenario.reflector.onReconnect();
    await scenario.env.advance(10_000);
    expect(scenario.log).toEqual(['listed@3:kept', 'interrupted:no answer', 'interrupted:no answer', 'interrupted:no answer', 'listed@1:']);
  });
});
