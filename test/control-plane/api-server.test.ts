import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness, readWatch } from './harness.ts';

type Json = Record<string, unknown>;

/** Reads a nested value of a decoded response (undefined when a step is missing). */
function at(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<string | number, unknown>)[key] : undefined;
  return current;
}

function names(value: unknown): unknown[] {
  return Array.isArray(value) ? value.map((item) => at(item, 'metadata', 'name')) : [];
}

describe('API server over HTTPS on a real store', () => {
  let harness: ApiHarness;
  const json = { 'Content-Type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = json) => {
    const response = await harness.fetch(path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    return { status: response.status, body: (response.body === '' || !response.headers.get('content-type')?.includes('json') ? {} : JSON.parse(response.body)) as Json, headers: response.headers };
  };
  const configMap = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });

  beforeAll(async () => {
    harness = await ApiHarness.start({ bookmarkIntervalMs: 200 });
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('serves health without a token and refuses everything else with 401', async () => {
    expect((await harness.fetch('/healthz', { token: null })).body).toBe('ok');
    expect((await harness.fetch('/readyz', { token: null })).status).toBe(200);
    const denied = await harness.fetch('/api/v1/namespaces', { token: null });
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    expect((await harness.fetch('/api/v1/namespaces', { token: 'wrong' })).status).toBe(401);
  });

  it('serves discovery and version', async () => {
    expect((await call('GET', '/api')).body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect((await call('GET', '/apis/apps')).body).toMatchObject({ kind: 'APIGroup', name: 'apps' });
    expect((await call('GET', '/version')).body).toMatchObject({ major: '1', minor: '32' });
    expect((await call('GET', '/apis/nothing/v1')).status).toBe(404);
  });

  it('serves aggregated discovery when the Accept header asks for it (as kubectl 1.32 does)', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const groups = await harness.fetch('/apis', { headers: { Accept: accept } });
    expect(groups.headers.get('content-type')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const list = JSON.parse(groups.body) as { kind: string; items: Array<{ metadata: { name?: string }; versions: Array<{ version: string; resources: Array<Record<string, unknown>> }> }> };
    expect(list.kind).toBe('APIGroupDiscoveryList');
    const apps = list.items.find((item) => item.metadata.name === 'apps');
    const deployments = apps?.versions[0]?.resources.find((resource) => resource['resource'] === 'deployments');
    expect(deployments).toMatchObject({ scope: 'Namespaced', singularResource: 'deployment', shortNames: ['deploy'], responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' } });
    expect(deployments?.['subresources']).toEqual(expect.arrayContaining([expect.objectContaining({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } })]));
    const core = JSON.parse((await harness.fetch('/api', { headers: { Accept: accept } })).body) as typeof list;
    expect(core.items).toHaveLength(1);
    expect(core.items[0]?.versions[0]?.resources.map((resource) => resource['resource'])).toEqual(expect.arrayContaining(['pods', 'namespaces', 'configmaps']));
    // The older beta is answered in its own version; no aggregated type in Accept means the legacy document.
    expect((await harness.fetch('/apis', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' } })).headers.get('content-type')).toContain('v=v2beta1');
    expect(JSON.parse((await harness.fetch('/apis', { headers: { Accept: 'application/json' } })).body)).toMatchObject({ kind: 'APIGroupList' });
  });

  it('creates with uid, timestamps and resourceVersion; gets; refuses duplicates with 409', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('one'));
    expect(created.status).toBe(201);
    expect(at(created.body, 'metadata')).toMatchObject({ name: 'one', namespace: 'default', uid: expect.stringMatching(/^[0-9a-f-]{36}$/), resourceVersion: expect.stringMatching(/^\d+$/) });
    const got = await call('GET', '/api/v1/namespaces/default/configmaps/one');
    expect(got.body).toEqual(created.body);
    const again = await call('POST', '/api/v1/namespaces/default/configmaps', configMap('one'));
    expect([again.status, at(again.body, 'reason')]).toEqual([409, 'AlreadyExists']);
  });

  it('generates names, and refuses objects in a missing namespace (404)', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { generateName: 'gen-' }, data: {} });
    expect(at(created.body, 'metadata', 'name')).toMatch(/^gen-[a-z0-9]{5}$/);
    const missing = await call('POST', '/api/v1/namespaces/nowhere/configmaps', configMap('x'));
    expect([missing.status, at(missing.body, 'message')]).toEqual([404, 'namespaces "nowhere" not found']);
  });

  it('updates with optimistic concurrency: a stale resourceVersion is a 409 Conflict', async () => {
    const created = (await call('POST', '/api/v1/namespaces/default/configmaps', configMap('cas'))).body;
    const first = await call('PUT', '/api/v1/namespaces/default/configmaps/cas', { ...created, data: { k: 'v2' } });
    expect(first.status).toBe(200);
    expect(Number(at(first.body, 'metadata', 'resourceVersion'))).toBeGreaterThan(Number(at(created, 'metadata', 'resourceVersion')));
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/cas', { ...created, data: { k: 'v3' } });
    expect([stale.status, at(stale.body, 'reason')]).toEqual([409, 'Conflict']);
    expect(at(stale.body, 'message')).toContain('the object has been modified');
  });

  it('answers bad input with the right Status codes', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const malformed = await call('POST', path, '{"metadata": ');
    expect([malformed.status, at(malformed.body, 'reason')]).toEqual([400, 'BadRequest']);
    expect(at(malformed.body, 'message')).toContain('not valid JSON');
    const wrongKind = await call('POST', path, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'w' } });
    expect([wrongKind.status, at(wrongKind.body, 'message')]).toEqual([400, expect.stringContaining('does not match the expected kind (ConfigMap)')]);
    const wrongVersion = await call('POST', path, { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'w' } });
    expect(wrongVersion.status).toBe(400);
    const invalid = await call('POST', path, configMap('Not_Valid'));
    expect([invalid.status, at(invalid.body, 'reason'), at(invalid.body, 'details', 'causes', 0, 'field')]).toEqual([422, 'Invalid', 'metadata.name']);
    const tooLarge = await call('POST', path, { metadata: { name: 'big' }, data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    expect([tooLarge.status, at(tooLarge.body, 'reason')]).toEqual([413, 'RequestEntityTooLarge']);
    const media = await call('POST', path, 'x', { 'Content-Type': 'text/plain' });
    expect([media.status, at(media.body, 'reason')]).toEqual([415, 'UnsupportedMediaType']);
    expect((await call('GET', '/api/v1/widgets')).status).toBe(404);
    const strict = await call('POST', `${path}?fieldValidation=Strict`, { ...configMap('strict'), bogus: 1 });
    expect([strict.status, at(strict.body, 'message')]).toEqual([400, expect.stringContaining('unknown field "bogus"')]);
    const warned = await call('POST', path, { ...configMap('warned'), bogus: 1 });
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toContain('unknown field \\"bogus\\"');
    expect(at(warned.body, 'bogus')).toBeUndefined();
    const badType = await call('POST', path, { metadata: { name: 'typed' }, data: { k: 5 } });
    expect([badType.status, at(badType.body, 'message')]).toEqual([400, expect.stringContaining('data.k')]);
  });

  it('accepts YAML bodies', async () => {
    const created = await call('POST', '/api/v1/namespaces/default/configmaps', 'metadata:\n  name: from-yaml\ndata:\n  a: "1"\n', { 'Content-Type': 'application/yaml' });
    expect([created.status, at(created.body, 'data')]).toEqual([201, { a: '1' }]);
  });

  it('lists with label and field selectors and pages with limit/continue', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'paging' } });
    for (let index = 0; index < 7; index++) await call('POST', '/api/v1/namespaces/paging/configmaps', configMap(`c${index}`, { parity: index % 2 === 0 ? 'even' : 'odd' }));
    const page = await call('GET', '/api/v1/namespaces/paging/configmaps?limit=3');
    expect(names(at(page.body, 'items'))).toEqual(['c0', 'c1', 'c2']);
    expect(at(page.body, 'metadata', 'remainingItemCount')).toBe(4);
    const rest = await call('GET', `/api/v1/namespaces/paging/configmaps?limit=10&continue=${at(page.body, 'metadata', 'continue')}`);
    expect(names(at(rest.body, 'items'))).toEqual(['c3', 'c4', 'c5', 'c6']);
    expect(at(rest.body, 'metadata', 'continue')).toBeUndefined();
    const even = await call('GET', '/api/v1/namespaces/paging/configmaps?labelSelector=parity%3Deven&limit=2');
    expect(names(at(even.body, 'items'))).toEqual(['c0', 'c2']);
    const evenRest = await call('GET', `/api/v1/namespaces/paging/configmaps?labelSelector=parity%3Deven&continue=${at(even.body, 'metadata', 'continue')}`);
    expect(names(at(evenRest.body, 'items'))).toEqual(['c4', 'c6']);
    const byName = await call('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dc5');
    expect((at(byName.body, 'items') as unknown[]).map((item) => at(item, 'metadata', 'namespace'))).toEqual(['paging']);
    expect((await call('GET', '/api/v1/configmaps?fieldSelector=spec.nope%3Dx')).status).toBe(400);
    expect((await call('GET', '/api/v1/configmaps?labelSelector=a%20in%20(b')).status).toBe(400);
  });

  it('renders Tables when asked with as=Table', async () => {
    const table = await call('GET', '/api/v1/namespaces/paging/configmaps', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(at(table.body, 'kind')).toBe('Table');
    expect((at(table.body, 'columnDefinitions') as unknown[]).map((column) => at(column, 'name'))).toEqual(['Name', 'Data', 'Age']);
    expect((at(table.body, 'rows', 0, 'cells') as unknown[]).slice(0, 2)).toEqual(['c0', 1]);
    expect((await call('GET', '/api/v1/configmaps', undefined, { Accept: 'application/vnd.kubernetes.protobuf' })).status).toBe(406);
  });

  it('patches with JSON patch, merge patch and strategic merge patch; a failing JSON patch test is a 422', async () => {
    const path = '/api/v1/namespaces/default/configmaps/one';
    const merge = await call('PATCH', path, { data: { m: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(at(merge.body, 'data')).toEqual({ k: 'one', m: '1' });
    const jsonPatch = await call('PATCH', path, [{ op: 'remove', path: '/data/m' }], { 'Content-Type': 'application/json-patch+json' });
    expect(at(jsonPatch.body, 'data')).toEqual({ k: 'one' });
    const failing = await call('PATCH', path, [{ op: 'test', path: '/data/k', value: 'other' }], { 'Content-Type': 'application/json-patch+json' });
    expect(failing.status).toBe(422);
    const stale = await call('PATCH', path, { metadata: { resourceVersion: '1' }, data: { x: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(stale.status).toBe(409);
    const media = await call('PATCH', path, {}, { 'Content-Type': 'application/json' });
    expect(media.status).toBe(415);
  });

  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1', env: [{ name: 'A', value: '1' }] }] } } },
    status: { replicas: 99 },
  };

  it('keeps status on the main resource, takes only status on /status, and counts spec generations', async () => {
    const base = '/apis/apps/v1/namespaces/default/deployments';
    const created = (await call('POST', base, deployment)).body;
    expect([at(created, 'metadata', 'generation'), at(created, 'status')]).toEqual([1, undefined]);
    const smp = await call('PATCH', `${base}/web`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } }, status: { replicas: 5 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(at(smp.body, 'spec', 'template', 'spec', 'containers', 0)).toMatchObject({ name: 'web', image: 'nginx:2', env: [{ name: 'A', value: '1' }] });
    expect([at(smp.body, 'metadata', 'generation'), at(smp.body, 'status')]).toEqual([2, undefined]);
    const status = await call('PATCH', `${base}/web/status`, { spec: { replicas: 7 }, status: { replicas: 1, readyReplicas: 1 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect([at(status.body, 'spec', 'replicas'), at(status.body, 'status'), at(status.body, 'metadata', 'generation')]).toEqual([1, { replicas: 1, readyReplicas: 1 }, 2]);
    const labels = await call('PATCH', `${base}/web`, { metadata: { labels: { x: 'y' } } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(at(labels.body, 'metadata', 'generation')).toBe(2);
  });

  it('serves the scale subresource', async () => {
    const base = '/apis/apps/v1/namespaces/default/deployments/web/scale';
    expect((await call('GET', base)).body).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=web' } });
    const patched = await call('PATCH', base, { spec: { replicas: 4 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(at(patched.body, 'spec')).toEqual({ replicas: 4 });
    const scale = patched.body;
    const put = await call('PUT', base, { ...scale, spec: { replicas: 2 } });
    expect(at(put.body, 'spec')).toEqual({ replicas: 2 });
    expect((await call('PUT', base, { ...scale, spec: { replicas: 3 } })).status).toBe(409);
    expect((await call('PATCH', base, { spec: { replicas: -1 } }, { 'Content-Type': 'application/merge-patch+json' })).status).toBe(422);
    expect(at((await call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body, 'spec', 'replicas')).toBe(2);
  });

  it('deletes: a Status for most kinds, deletionTimestamp while finalizers remain, deletecollection by label', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    await call('POST', path, { metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
    const marked = await call('DELETE', `${path}/fin`);
    expect(at(marked.body, 'metadata', 'deletionTimestamp')).toEqual(expect.any(String));
    expect((await call('GET', `${path}/fin`)).status).toBe(200);
    const released = await call('PATCH', `${path}/fin`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(released.status).toBe(200);
    expect((await call('GET', `${path}/fin`)).status).toBe(404);
    const deleted = await call('DELETE', `${path}/from-yaml`);
    expect(deleted.body).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'from-yaml', kind: 'configmaps' } });
    const preconditioned = await call('DELETE', `${path}/one`, { preconditions: { uid: 'nope' } });
    expect(preconditioned.status).toBe(409);
    const collection = await call('DELETE', '/api/v1/namespaces/paging/configmaps?labelSelector=parity%3Dodd');
    expect(at(collection.body, 'items')).toHaveLength(3);
    expect(at((await call('GET', '/api/v1/namespaces/paging/configmaps')).body, 'items')).toHaveLength(4);
  });

  it('watches from the current state, from an exact version, with selectors and bookmarks', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'watched' } });
    const path = '/api/v1/namespaces/watched/configmaps';
    const first = (await call('POST', path, configMap('w1', { team: 'a' }))).body;
    const initial = await readWatch(harness, `${path}?watch=1`, (events) => events.length >= 1);
    expect(initial.map((event) => event.type)).toEqual(['ADDED']);
    const version = String(at(first, 'metadata', 'resourceVersion'));
    const events = await readWatch(harness, `${path}?watch=true&resourceVersion=${version}&labelSelector=team%3Da&allowWatchBookmarks=true`, (seen) => seen.some((event) => event.type === 'BOOKMARK') && seen.length >= 4, {
      whileOpen: async () => {
        await call('POST', path, configMap('w2', { team: 'a' }));
        await call('POST', path, configMap('w3', { team: 'b' }));
        await call('PATCH', `${path}/w2`, { metadata: { labels: { team: 'b' } } }, { 'Content-Type': 'application/merge-patch+json' });
        await call('PATCH', `${path}/w3`, { metadata: { labels: { team: 'a' } } }, { 'Content-Type': 'application/merge-patch+json' });
      },
    });
    const changes = events.filter((event) => event.type !== 'BOOKMARK').map((event) => `${event.type}:${(at(event.object, 'metadata') as Json)['name']}`);
    expect(changes).toEqual(['ADDED:w2', 'DELETED:w2', 'ADDED:w3']);
    const bookmark = events.find((event) => event.type === 'BOOKMARK');
    expect(bookmark?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
  });

  it('answers a watch from a compacted resourceVersion with a 410 ERROR event', async () => {
    await harness.objectStore.compact(await harness.objectStore.currentRevision());
    const events = await readWatch(harness, '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2', (seen) => seen.length >= 1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    const list = await call('GET', '/api/v1/configmaps?resourceVersion=2&resourceVersionMatch=Exact');
    expect(list.status).toBe(410);
  });

  it('answers self-subject reviews (kubectl auth whoami)', async () => {
    const review = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
    expect(at(review.body, 'status', 'userInfo', 'username')).toBe('flotilla-admin');
  });
});
