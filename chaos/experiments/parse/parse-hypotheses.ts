import { lastFaultId, type FaultSpec, type HypothesisSpec, type KvWorkloadSpec, type ProbeSpec } from '../experiment.ts';
import type { YamlValue } from './yaml-reader.ts';

export const hypothesisKinds = ['max-unavailability', 'max-latency', 'max-failover', 'converges', 'no-lost-writes'] as const;

const keysOfKind: Readonly<Record<(typeof hypothesisKinds)[number], readonly string[]>> = {
  'max-unavailability': ['kind', 'probe', 'atMost'],
  'max-latency': ['kind', 'probe', 'atMost'],
  'max-failover': ['kind', 'atMost'],
  converges: ['kind', 'after', 'within'],
  'no-lost-writes': ['kind'],
};

/** What the other sections gave, for cross-checks (a hypothesis naming a probe that does not exist). */
export interface HypothesisContext {
  readonly probes: readonly ProbeSpec[] | null;
  readonly faults: readonly FaultSpec[] | null;
  readonly workload: KvWorkloadSpec | null;
  readonly durationMs: number | null;
}

export function parseHypotheses(value: YamlValue, context: HypothesisContext): HypothesisSpec[] | null {
  const items = value.items('hypotheses');
  if (items.length === 0 && !value.present) {
    value.report('is required: at least one hypothesis (max-unavailability, max-latency, max-failover, converges, no-lost-writes) — an experiment without one concludes nothing');
    return null;
  }
  const hypotheses = items.map((item) => parseHypothesis(item, context));
  if (hypotheses.some((hypothesis) => hypothesis === null)) return null;
  return hypotheses.filter((hypothesis): hypothesis is HypothesisSpec => hypothesis !== null);
}

function parseHypothesis(value: YamlValue, context: HypothesisContext): HypothesisSpec | null {
  if (!value.isMap) return value.report(`must be a mapping with kind (${hypothesisKinds.join(', ')})`);
  const kind = value.field('kind').choice('a hypothesis kind', hypothesisKinds);
  if (kind === null) return null;
  value.expectMap(keysOfKind[kind], `a ${kind} hypothesis`);
  switch (kind) {
    case 'max-unavailability':
    case 'max-latency': {
      const probe = probeName(value.field('probe'), context);
      const atMostMs = value.field('atMost').duration(kind === 'max-latency' ? 'the slowest answer allowed' : 'the longest outage allowed', 0, 3_600_000);
      return probe === null || atMostMs === null ? null : { kind, probe, atMostMs };
    }
    case 'max-failover': {
      const atMostMs = value.field('atMost').duration('the longest time without a leader after a fault removed it', 0, 3_600_000);
      return atMostMs === null ? null : { kind, atMostMs };
    }
    case 'converges':
      return parseConverges(value, context);
    case 'no-lost-writes':
      if (context.workload === null) return value.report('needs a workload section (workload: {clients: 4, keys: 4}): its history is what is checked');
      return { kind };
  }
}

function probeName(value: YamlValue, context: HypothesisContext): string | null {
  const name = value.text('the name of a probe');
  if (name === null || context.probes === null) return null;
  if (!context.probes.some((probe) => probe.name === name)) {
    const known = context.probes.map((probe) => probe.name);
    return value.report(`no probe is named "${name}"; probes: ${known.length === 0 ? 'none (add one under probes)' : known.join(', ')}`);
  }
  return name;
}

function parseConverges(value: YamlValue, context: HypothesisContext): HypothesisSpec | null {
  const after = value.field('after').optionalText('the id of the fault whose healing starts the clock', lastFaultId);
  const withinMs = value.field('within').duration('how soon after the heal everything must be back', 0, 3_600_000);
  if (after === null || withinMs === null || context.faults === null) return null;
  const healed = context.faults.filter((fault) => fault.forMs !== null);
  const fault = after === lastFaultId ? [...healed].sort((a, b) => (a.atMs + (a.forMs ?? 0)) - (b.atMs + (b.forMs ?? 0))).at(-1) : context.faults.find((candidate) => candidate.id === after);
  if (fault === undefined) {
    const ids = context.faults.map((candidate) => candidate.id);
    return value.field('after').report(after === lastFaultId ? 'no fault heals (none has `for`), so there is nothing to converge after' : `no fault has the id "${after}"; faults: ${ids.join(', ') || 'none'}`);
  }
  if (fault.forMs === null) return value.field('after').report(`fault "${fault.id}" never heals (it has no \`for\`); give it one`);
  const healMs = fault.atMs + fault.forMs;
  if (context.durationMs !== null && healMs + withinMs > context.durationMs) {
    return value.field('within').report(`the experiment ends at ${context.durationMs} ms, before the bound runs out (heal at ${healMs} ms + ${withinMs} ms); lengthen duration to at least ${healMs + withinMs} ms`);
  }
  return { kind: 'converges', after, withinMs };
}
