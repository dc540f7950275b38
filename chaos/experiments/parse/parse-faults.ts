import type { ComponentTarget, FaultAction, FaultSpec, LinkSelection, PartitionSide } from '../experiment.ts';
import type { YamlValue } from './yaml-reader.ts';

export const faultKinds = ['kill', 'pause', 'restart', 'partition', 'delay', 'loss'] as const;

/** Faults one experiment may schedule. */
export const faultsMax = 64;

const scheduleKeys = ['id', 'kind', 'at', 'for'] as const;
const keysOfKind: Readonly<Record<(typeof faultKinds)[number], readonly string[]>> = {
  kill: [...scheduleKeys, 'target'],
  pause: [...scheduleKeys, 'target'],
  restart: [...scheduleKeys, 'target'],
  partition: [...scheduleKeys, 'isolate', 'withLeader', 'groups'],
  delay: [...scheduleKeys, 'delay', 'links'],
  loss: [...scheduleKeys, 'rate', 'links'],
};

/** `faults:` — each starts at `at` and heals after `for` (or at the end). */
export function parseFaults(value: YamlValue, durationMs: number | null): FaultSpec[] | null {
  const items = value.items('faults');
  if (items.length > faultsMax) value.report(`at most ${faultsMax} faults, got ${items.length}`);
  const faults = items.map((item, index) => parseFault(item, index, durationMs));
  const ids = new Set<string>();
  let unique = true;
  faults.forEach((fault, index) => {
    if (fault === null) return;
    if (ids.has(fault.id)) {
      items[index]?.field('id').report(`another fault already has the id "${fault.id}"; ids must differ`);
      unique = false;
    }
    ids.add(fault.id);
  });
  if (!unique || items.length > faultsMax || faults.some((fault) => fault === null)) return null;
  return faults.filter((fault): fault is FaultSpec => fault !== null);
}

function parseFault(value: YamlValue, index: number, durationMs: number | null): FaultSpec | null {
  if (!value.isMap) return value.report(`must be a mapping with kind (${faultKinds.join(', ')}) and at`);
  const kind = value.field('kind').choice('a fault kind', faultKinds);
  if (kind === null) return null;
  value.expectMap(keysOfKind[kind], `a ${kind} fault`);
  const id = value.field('id').optionalText('the fault\'s id, for hypotheses', `fault-${index + 1}`);
  const atMs = value.field('at').duration('when the fault starts, from the experiment\'s start', 0, 3_600_000);
  const forMs = value.field('for').present ? value.field('for').duration('how long the fault lasts', 0, 3_600_000) : null;
  const action = parseAction(value, kind);
  if (id === null || atMs === null || (value.field('for').present && forMs === null) || action === null) return null;
  if (durationMs !== null && atMs + (forMs ?? 0) > durationMs) {
    return value.field(forMs === null ? 'at' : 'for').report(`the fault ends at ${atMs + (forMs ?? 0)} ms, after the experiment (duration ${durationMs} ms); lengthen duration or move the fault`);
  }
  return { id, atMs, forMs, action };
}

function parseAction(value: YamlValue, kind: (typeof faultKinds)[number]): FaultAction | null {
  switch (kind) {
    case 'kill':
    case 'pause':
    case 'restart': {
      const target = parseTarget(value.field('target'), 'the component: "leader", or a name (a server such as n1, an agent, a nats-server)');
      return target === null ? null : { kind, target };
    }
    case 'partition': {
      const isolate = parsePartitionSide(value);
      return isolate === null ? null : { kind, isolate };
    }
    case 'delay': {
      const delayMs = value.field('delay').duration('the extra delay on each chunk', 1, 60_000);
      const links = parseLinks(value.field('links'));
      return delayMs === null || links === null ? null : { kind, delayMs, links };
    }
    case 'loss': {
      const rate = value.field('rate').number('the share of chunks hit by a loss, from 0 to 1', 0, 1, true);
      const links = parseLinks(value.field('links'));
      return rate === null || links === null ? null : { kind, rate, links };
    }
  }
}

export function parseTarget(value: YamlValue, what: string): ComponentTarget | null {
  const text = value.text(what);
  if (text === null) return null;
  if (text === 'leader') return { kind: 'leader' };
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(text)) return value.report(`"${text}" is not a component name; use "leader" or a name such as n1`);
  return { kind: 'named', name: text };
}

/** `isolate: leader | n2 | minority | majority` (with `withLeader`), or `groups: [[n1], [n2, n3]]`. */
function parsePartitionSide(value: YamlValue): PartitionSide | null {
  const isolate = value.field('isolate');
  const groups = value.field('groups');
  if (isolate.present === groups.present) return value.report('give either isolate (leader, minority, majority or a server name) or groups (lists of server names that stay connected)');
  if (groups.present) {
    const lists = groups.items('groups of server names').map((group) => group.items('server names').map((name) => name.text('a server name')));
    if (lists.length < 2) return groups.report('needs at least two groups: links between groups are cut');
    if (lists.some((list) => list.length === 0 || list.some((name) => name === null))) return null;
    return { kind: 'groups', groups: lists.map((list) => list.filter((name): name is string => name !== null)) };
  }
  const text = isolate.text('what to cut off');
  if (text === 'minority' || text === 'majority') {
    const withLeader = value.field('withLeader').optionalBoolean('whether the cut-off side holds the leader', false);
    return withLeader === null ? null : { kind: text, withLeader };
  }
  if (value.field('withLeader').present) value.field('withLeader').report('only applies to isolate: minority or majority');
  const target = parseTarget(isolate, 'leader, minority, majority or a server name');
  return target === null || value.field('withLeader').present ? null : { kind: 'replica', target };
}

/** `links: all` (default), `links: {replica: leader}`, `links: {between: [n1, n2]}`. */
function parseLinks(value: YamlValue): LinkSelection | null {
  if (!value.present) return { kind: 'all' };
  if (!value.isMap) {
    const word = value.text('all, or {replica: NAME}, or {between: [A, B]}');
    if (word === 'all') return { kind: 'all' };
    return word === null ? null : value.report(`"${word}" is not a link selection; use all, {replica: leader}, {replica: n2} or {between: [n1, n2]}`);
  }
  value.expectMap(['replica', 'between'], 'replica or between');
  if (value.field('replica').present) {
    const target = parseTarget(value.field('replica'), 'the replica whose links are hit');
    return target === null ? null : { kind: 'replica', target };
  }
  const ends = value.field('between').items('two server names');
  if (ends.length !== 2) return value.field('between').report('must list exactly two replicas, as [n1, n2]');
  const [from, to] = ends.map((end) => parseTarget(end, 'a server name or leader'));
  return from === null || to === null || from === undefined || to === undefined ? null : { kind: 'between', from, to };
}
