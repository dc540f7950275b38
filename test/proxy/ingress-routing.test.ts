import { describe, expect, it } from 'vitest';
import {
  certificateFor, computeIngressRoutes, forwardedHeaders, hostMatches, matchRoute, parseIngress, parseService, pathMatches, requestPathOf,
  type IngressView, type PathType, type ServiceView,
} from '../../proxy/index.ts';
import { ingress, pathRule, service } from './builders.ts';

describe('path matching (the table of examples in the Kubernetes Ingress documentation)', () => {
  const cases: ReadonlyArray<[PathType, string, string, boolean]> = [
    ['Prefix', '/', '/anything/at/all', true],
    ['Exact', '/foo', '/foo', true],
    ['Exact', '/foo', '/bar', false],
    ['Exact', '/foo', '/foo/', false],
    ['Exact', '/foo/', '/foo', false],
    ['Prefix', '/foo', '/foo', true],
    ['Prefix', '/foo', '/foo/', true],
    ['Prefix', '/foo/', '/foo', true],
    ['Prefix', '/foo/', '/foo/', true],
    ['Prefix', '/aaa/bb', '/aaa/bbb', false],
    ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
    ['Prefix', '/aaa/bbb', '/aaabbb', false],
    ['Prefix', '/aaa', '/ccc', false],
    ['ImplementationSpecific', '/aaa', '/aaa/x', true],
  ];
  it.each(cases)('%s %s against %s is %s', (pathType, rulePath, requestPath, expected) => {
    expect(pathMatches(pathType, rulePath, requestPath)).toBe(expected);
  });

  it('strips the query from the request target', () => {
    expect(requestPathOf('/a/b?x=1')).toBe('/a/b');
    expect(requestPathOf('')).toBe('/');
  });
});

const services = new Map(
  [service('root'), service('aaa'), service('bbb'), service('exact'), service('wild'), service('fallback'), service('other', { namespace: 'team' })]
    .map(parseService).filter((view): view is ServiceView => view !== null).map((view) => [view.key, view]),
);

function views(...objects: ReturnType<typeof ingress>[]): IngressView[] {
  return objects.map(parseIngress).filter((view): view is IngressView => view !== null);
}

function routedTo(table: ReturnType<typeof computeIngressRoutes>, host: string, path: string): string {
  const route = matchRoute(table, host, path);
  if (route === null) return '404';
  return route.kind === 'target' ? route.serviceKey : `unavailable: ${route.reason}`;
}

describe('ingress routes', () => {
  const table = computeIngressRoutes(views(
    ingress('site', {
      defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
      rules: [
        { host: 'app.example.com', http: { paths: [pathRule('/', 'Prefix', 'root', 80), pathRule('/aaa', 'Prefix', 'aaa', 80), pathRule('/aaa/bbb', 'Prefix', 'bbb', 80), pathRule('/foo', 'Exact', 'exact', 80), pathRule('/foo', 'Prefix', 'aaa', 80)] } },
        { host: '*.example.com', http: { paths: [pathRule('/', 'Prefix', 'wild', 80)] } },
        { http: { paths: [pathRule('/only', 'Prefix', 'aaa', 80)] } },
      ],
    }),
    ingress('not-ours', { ingressClassName: 'nginx', rules: [{ host: 'nginx.test', http: { paths: [pathRule('/', 'Prefix', 'root', 80)] } }] }),
  ), services);

  it('takes the longest matching path, Exact before Prefix at equal length', () => {
    expect(routedTo(table, 'app.example.com', '/aaa/ccc')).toBe('default/aaa');
    expect(routedTo(table, 'app.example.com', '/aaa/bbb')).toBe('default/bbb');
    expect(routedTo(table, 'app.example.com', '/ccc')).toBe('default/root');
    expect(routedTo(table, 'app.example.com', '/foo')).toBe('default/exact');
    expect(routedTo(table, 'app.example.com', '/foo/x')).toBe('default/aaa');
  });

  it('matches a wildcard host on exactly one label and uses host-less rules for other hosts', () => {
    expect(routedTo(table, 'other.example.com', '/x')).toBe('default/wild');
    expect(routedTo(table, 'a.b.example.com', '/only')).toBe('default/aaa');
    expect(routedTo(table, 'unknown.test', '/only/x')).toBe('default/aaa');
    expect(hostMatches('*.example.com', 'example.com')).toBe(false);
  });

  it('falls back to the default backend, and ignores Ingresses of another class', () => {
    expect(routedTo(table, 'unknown.test', '/nothing')).toBe('default/fallback');
    expect(routedTo(table, 'nginx.test', '/x')).toBe('default/fallback');
    expect(table.ingresses.map((view) => view.key)).toEqual(['default/site']);
  });

  it('answers 404 without a default backend and says why a backend is unavailable', () => {
    const bare = computeIngressRoutes(views(ingress('bare', { rules: [{ host: 'h', http: { paths: [pathRule('/', 'Prefix', 'missing', 80), pathRule('/port', 'Prefix', 'root', 'nope')] } }] })), services);
    expect(routedTo(bare, 'x', '/')).toBe('404');
    expect(routedTo(bare, 'h', '/')).toBe('unavailable: service default/missing not found');
    expect(routedTo(bare, 'h', '/port')).toContain('has no port');
  });

  it('gives the same host and path to the older Ingress', () => {
    const older = ingress('older', { rules: [{ host: 'h', http: { paths: [pathRule('/', 'Prefix', 'aaa', 80)] } }] }, { createdAt: '2026-01-01T00:00:00Z' });
    const newer = ingress('newer', { rules: [{ host: 'h', http: { paths: [pathRule('/', 'Prefix', 'bbb', 80)] } }] }, { createdAt: '2026-02-01T00:00:00Z' });
    expect(routedTo(computeIngressRoutes(views(newer, older), services), 'h', '/')).toBe('default/aaa');
  });
});

describe('TLS certificate choice by SNI', () => {
  const entries = [{ hosts: ['a.example.com'], id: 'a' }, { hosts: ['*.example.com'], id: 'wild' }, { hosts: [], id: 'default' }];
  it('prefers the exact host, then a wildcard, then the default certificate', () => {
    expect(certificateFor(entries, 'A.example.com')?.id).toBe('a');
    expect(certificateFor(entries, 'b.example.com')?.id).toBe('wild');
    expect(certificateFor(entries, 'other.test')?.id).toBe('default');
    expect(certificateFor(entries.slice(0, 2), 'other.test')).toBeNull();
  });
});

describe('forwarded headers', () => {
  it('appends X-Forwarded-For, sets -Proto/-Host/-Port and drops hop-by-hop headers', () => {
    const headers = forwardedHeaders({ host: 'app.example.com', 'x-forwarded-for': '203.0.113.1', connection: 'keep-alive, x-secret', 'x-secret': 's', 'keep-alive': 'timeout=5', accept: '*/*', 'x-forwarded-proto': 'spoofed' }, { clientAddress: '198.51.100.7', protocol: 'https', listenerPort: 443 }, false);
    expect(headers).toEqual({
      host: 'app.example.com', accept: '*/*',
      'x-forwarded-for': '203.0.113.1, 198.51.100.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'app.example.com', 'x-forwarded-port': '443', 'x-real-ip': '198.51.100.7',
    });
  });

  it('keeps Connection: upgrade and Upgrade for a WebSocket handshake', () => {
    const headers = forwardedHeaders({ host: 'h', connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' }, { clientAddress: '127.0.0.1', protocol: 'http', listenerPort: 80 }, true);
    expect(headers['connection']).toBe('upgrade');
    expect(headers['upgrade']).toBe('websocket');
    expect(headers['sec-websocket-key']).toBe('k');
  });
});
