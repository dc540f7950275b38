import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chooseRevision, nextRevisionNumber, revisionName, revisionPatch, revisionsToPrune, sortedKeys, templateOfRevision, type RevisionView,
} from '../../control-plane/controllers/controller-revision-history.ts';
import { FailedPodBackoff, FailedPodBackoffLimits } from '../../control-plane/controllers/daemon-set-failed-pod-backoff.ts';
import type { JsonObject } from '../../control-plane/api/json.ts';

const template = (image: string): JsonObject => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'main', image }] } });
const revision = (name: string, number: number, image: string): RevisionView => ({ name, revision: number, data: revisionPatch(template(image)) });

describe('ControllerRevision data', () => {
  it('is the strategic merge patch kubectl rollout undo sends back: the template with $patch replace, keys sorted', () => {
    const patch = revisionPatch({ spec: { containers: [] }, metadata: { labels: { b: '1', a: '2' } } });
    expect(JSON.stringify(patch)).toBe('{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"a":"2","b":"1"}},"spec":{"containers":[]}}}}');
    expect(templateOfRevision(patch)).toEqual({ metadata: { labels: { a: '2', b: '1' } }, spec: { containers: [] } });
    expect(templateOfRevision({ spec: {} })).toBeUndefined();
    expect(templateOfRevision(undefined)).toBeUndefined();
  });

  it('sorting keys keeps every value (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      expect(JSON.parse(JSON.stringify(sortedKeys(JSON.parse(JSON.stringify(value)) as JsonObject)))).toEqual(JSON.parse(JSON.stringify(value)));
    }));
  });

  it('names revisions <owner>-<hash>, the owner part capped at 223 characters', () => {
    expect(revisionName('web', 'abc')).toBe('web-abc');
    expect(revisionName('x'.repeat(300), 'abc')).toHaveLength(227);
  });
});

describe('choosing the revision of the current template', () => {
  it('keeps the newest revision when it matches, creates the next one when none does', () => {
    const history = [revision('web-1', 1, 'nginx:1'), revision('web-2', 2, 'nginx:2')];
    expect(chooseRevision(history, revisionPatch(template('nginx:2')))).toEqual({ type: 'existing', name: 'web-2' });
    expect(chooseRevision(history, revisionPatch(template('nginx:3')))).toEqual({ type: 'create', revision: 3 });
    expect(chooseRevision([], revisionPatch(template('nginx:1')))).toEqual({ type: 'create', revision: 1 });
  });

  it('a rollback to an older template renumbers that revision to the next number instead of creating a copy', () => {
    const history = [revision('web-1', 1, 'nginx:1'), revision('web-2', 2, 'nginx:2')];
    expect(chooseRevision(history, revisionPatch(template('nginx:1')))).toEqual({ type: 'renumber', name: 'web-1', revision: 3 });
  });

  it('matches data whatever the key order', () => {
    const reordered: RevisionView = { name: 'web-1', revision: 1, data: { spec: { template: { spec: { containers: [{ image: 'nginx:1', name: 'main' }] }, metadata: { labels: { app: 'web' } }, $patch: 'replace' } } } };
    expect(chooseRevision([reordered], revisionPatch(template('nginx:1')))).toEqual({ type: 'existing', name: 'web-1' });
  });

  it('the chosen revision always ends up the newest (property)', () => {
    const images = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(fc.property(fc.array(images, { maxLength: 6 }), images, (past, current) => {
      const history = past.map((image, index) => revision(`r${index}`, index + 1, image));
      const choice = chooseRevision(history, revisionPatch(template(current)));
      const top = nextRevisionNumber(history) - 1;
      if (choice.type === 'existing') expect(history.find((item) => item.name === choice.name)?.revision).toBe(top);
      else expect(choice.revision).toBe(top + 1);
      if (choice.type !== 'create') expect(past).toContain(current);
      else expect(past).not.toContain(current);
    }));
  });
});

describe('pruning history', () => {
  it('deletes the oldest non-live revisions beyond the limit', () => {
    const history = [1, 2, 3, 4, 5].map((number) => revision(`r${number}`, number, String(number)));
    expect(revisionsToPrune(history, new Set(['r5', 'r1']), 2)).toEqual(['r2']);
    expect(revisionsToPrune(history, new Set(['r5']), 0)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(revisionsToPrune(history, new Set(), 10)).toEqual([]);
  });
});

describe('failed daemon pod back-off', () => {
  it('doubles from 1 s up to the maximum, and starts over after a quiet spell', () => {
    let now = 0;
    const backoff = new FailedPodBackoff(() => now);
    expect(backoff.remainingMs('ds/node')).toBe(0);
    backoff.next('ds/node');
    expect(backoff.remainingMs('ds/node')).toBe(1_000);
    now = 1_000;
    expect(backoff.remainingMs('ds/node')).toBe(0);
    backoff.next('ds/node');
    expect(backoff.remainingMs('ds/node')).toBe(2_000);
    for (let index = 0; index < 20; index++) backoff.next('ds/node');
    expect(backoff.remainingMs('ds/node')).toBe(FailedPodBackoffLimits.maxDelayMs);
    now += 2 * FailedPodBackoffLimits.maxDelayMs + 1;
    backoff.next('ds/node');
    expect(backoff.remainingMs('ds/node')).toBe(1_000);
  });

  it('remembers a bounded number of nodes', () => {
    const backoff = new FailedPodBackoff(() => 0);
    for (let index = 0; index < FailedPodBackoffLimits.entriesMax + 10; index++) backoff.next(`ds/node-${index}`);
    expect(backoff.size).toBe(FailedPodBackoffLimits.entriesMax);
    expect(backoff.remainingMs('ds/node-0')).toBe(0);
  });
});
