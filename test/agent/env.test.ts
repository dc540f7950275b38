import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { expand, expandCommand, parseQuantity, resolveEnv, type Container } from '../../agent/index.ts';
import { lookups, makePod } from './helpers.ts';

const mapping = (values: Record<string, string>) => (name: string) => values[name];

describe('$(VAR) expansion, as Kubernetes', () => {
  it.each([
    ['$(A)-x', 'a-x'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(A)', '$(A)'],
    ['$$$(A)', '$a'],
    ['$(A', '$(A'],
    ['a$', 'a$'],
    ['$x$(B)', '$xb'],
    ['$()', '$()'],
    ['$(A)$(B)', 'ab'],
    ['100$$', '100$'],
  ])('%s → %s', (input, output) => {
    expect(expand(input, mapping({ A: 'a', B: 'b' }))).toBe(output);
  });

  test.prop([fc.string().filter((text) => !text.includes('$'))])('leaves text without $ unchanged', (text) => {
    expect(expand(text, () => 'X')).toBe(text);
  });

  test.prop([fc.string()])('an empty mapping never changes a string without $$', (text) => {
    fc.pre(!text.includes('$$'));
    expect(expand(text, () => undefined)).toBe(text);
  });
});

describe('resolveEnv', () => {
  const container = (fields: Partial<Container>): Container => ({ name: 'app', command: ['true'], ...fields });

  it('applies envFrom first (with prefix), then env, which overrides and expands earlier values', () => {
    const pod = makePod({ containers: [] });
    const result = resolveEnv(container({
      envFrom: [{ configMapRef: { name: 'cfg' } }, { secretRef: { name: 'sec' }, prefix: 'S_' }],
      env: [
        { name: 'COLOR', value: 'blue' },
        { name: 'GREETING', value: 'hello $(NAME) in $(COLOR), $(S_TOKEN) $(LATER) $$(NAME)' },
        { name: 'LATER', value: 'late' },
      ],
    }), pod, lookups({ cfg: { NAME: 'world', COLOR: 'red', 'bad key': 'x' } }, { sec: { TOKEN: 't0k' } }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.fromEntries(result.env)).toEqual({
      NAME: 'world', COLOR: 'blue', S_TOKEN: 't0k', LATER: 'late',
      GREETING: 'hello world in blue, t0k $(LATER) $(NAME)',
    });
    expect(result.skippedKeys).toEqual(['bad key']);
  });

  it('does not expand valueFrom values', () => {
    const pod = makePod({ containers: [] });
    const result = resolveEnv(container({ env: [{ name: 'A', value: 'x' }, { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }), pod, lookups({ cfg: { k: '$(A)' } }));
    expect(result.ok && result.env.get('B')).toBe('$(A)');
  });

  it('fails on a missing ConfigMap, Secret or key unless optional (then the variable is unset)', () => {
    const pod = makePod({ containers: [] });
    const missing = resolveEnv(container({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }), pod, lookups());
    expect(missing).toMatchObject({ ok: false, reason: 'CreateContainerConfigError' });
    const missingKey = resolveEnv(container({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] }), pod, lookups({ cfg: {} }));
    expect(missingKey.ok).toBe(false);
    const missingFrom = resolveEnv(container({ envFrom: [{ configMapRef: { name: 'gone' } }] }), pod, lookups());
    expect(missingFrom.ok).toBe(false);
    const optional = resolveEnv(container({
      envFrom: [{ configMapRef: { name: 'gone', optional: true } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
        { name: 'B', valueFrom: { secretKeyRef: { name: 'gone', key: 'k', optional: true } } },
      ],
    }), pod, lookups({ cfg: {} }));
    expect(optional.ok && [...optional.env.keys()]).toEqual([]);
  });

  it('resolves the downward API fields', () => {
    const pod = { ...makePod({ containers: [], nodeName: 'node-1' }, 'web', 'uid-1'), metadata: { name: 'web', namespace: 'prod', uid: 'uid-1', labels: { app: 'web' }, annotations: { team: 'infra' } } };
    const result = resolveEnv(container({
      env: [
        ['POD', 'metadata.name'], ['NS', 'metadata.namespace'], ['UID', 'metadata.uid'], ['APP', "metadata.labels['app']"],
        ['TEAM', "metadata.annotations['team']"], ['NODE', 'spec.nodeName'], ['HOST', 'status.hostIP'], ['IP', 'status.podIP'], ['SA', 'spec.serviceAccountName'],
      ].map(([name, fieldPath]) => ({ name: name ?? '', valueFrom: { fieldRef: { fieldPath: fieldPath ?? '' } } })),
    }), pod, lookups());
    expect(result.ok && Object.fromEntries(result.env)).toEqual({ POD: 'web', NS: 'prod', UID: 'uid-1', APP: 'web', TEAM: 'infra', NODE: 'node-1', HOST: '127.0.0.1', IP: '127.0.0.1', SA: 'default' });
    expect(resolveEnv(container({ env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.nope' } } }] }), pod, lookups()).ok).toBe(false);
  });

  it('resolves resourceFieldRef with divisor, rounding up, falling back to node allocatable', () => {
    const app = container({ resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } } });
    const pod = makePod({ containers: [app, { name: 'side', command: ['true'] }] });
    const result = resolveEnv(container({
      ...app,
      env: [
        { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'CPU_MILLI', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
        { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'MEM_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        { name: 'SIDE_CPU', valueFrom: { resourceFieldRef: { containerName: 'side', resource: 'limits.cpu' } } },
      ],
    }), pod, lookups());
    expect(result.ok && Object.fromEntries(result.env)).toEqual({
      CPU_LIMIT: '1', CPU_MILLI: '500', CPU_REQ: '250', MEM_MI: '128', MEM_REQ: String(128 * 2 ** 20), SIDE_CPU: '4',
    });
  });

  it('expands command and args against the environment', () => {
    expect(expandCommand(['echo', '$(A)', '$$(A)', '$(B)'], new Map([['A', '1']]))).toEqual(['echo', '1', '$(A)', '$(B)']);
  });

  it('parses quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('2k')).toBe(2000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('abc')).toBeUndefined();
  });
});
