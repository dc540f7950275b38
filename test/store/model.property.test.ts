import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../common/index.ts';
import { command, requestOp, type ApplyOutcome, type Command, type Compare, type RequestOp, type WatchResponse } from '../../store/index.ts';
import { bytes, collectUntil, StoreHarness, text } from './helpers.ts';

// ---------------------------------------------------------------------------------------------
// The reference model: a plain map per revision, written the obvious way.

interface ModelKv {
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

type ModelOp =
  | { readonly kind: 'put'; readonly key: string; readonly value: string }
  | { readonly kind: 'delete'; readonly key: string; readonly end: string | null }
  | { readonly kind: 'range'; readonly key: string; readonly end: string | null };

interface ModelCompare {
  readonly key: string;
  readonly target: 'version' | 'mod' | 'value';
  readonly result: 'equal' | 'notEqual' | 'less' | 'greater';
  readonly operand: number;
}

type ModelCommand =
  | ModelOp
  | { readonly kind: 'txn'; readonly compare: readonly ModelCompare[]; readonly success: readonly ModelOp[]; readonly failure: readonly ModelOp[] }
  | { readonly kind: 'compact'; readonly back: number };

type ModelOutcome = { ok: false; code: string } | { ok: true; revision: number; detail: string };

/** etcd interval semantics on strings: null end = single key, '\0' = everything from key. */
function inInterval(key: string, start: string, end: string | null): boolean {
  if (end === null) return key === start;
  if (end === '\0') return key >= start;
  return key >= start && key < end;
}

class Model {
  revision = 1;
  compactRevision = 0;
  state = new Map<string, ModelKv>();
  readonly history = new Map<number, Map<string, ModelKv>>([[1, new Map()]]);
  readonly events: string[] = [];

  at(revision: number): Map<string, ModelKv> {
    for (let candidate = revision; candidate >= 1; candidate--) {
      const state = this.history.get(candidate);
      if (state !== undefined) return state;
    }
    return new Map();
  }

  apply(commandToApply: ModelCommand): ModelOutcome {
    switch (commandToApply.kind) {
      case 'compact': {
        const revision = Math.max(1, this.revision - commandToApply.back);
        if (revision <= this.compactRevision) return { ok: false, code: ErrorCode.storeCompacted };
        this.compactRevision = revision;
        return { ok: true, revision: this.revision, detail: 'compact' };
      }
      case 'txn': {
        const succeeded = commandToApply.compare.every((compare) => this.holds(compare));
        return this.run(succeeded ? commandToApply.success : commandToApply.failure, succeeded);
      }
      default:
        return this.run([commandToApply], true);
    }
  }

  private holds(compare: ModelCompare): boolean {
    const kv = this.state.get(compare.key);
    if (compare.target === 'value' && kv === undefined) return false;
    const stored = compare.target === 'version' ? (kv?.version ?? 0) : compare.target === 'mod' ? (kv?.modRevision ?? 0) : Number(kv?.value);
    const order = Math.sign(stored - compare.operand);
    return { equal: order === 0, notEqual: order !== 0, less: order < 0, greater: order > 0 }[compare.result];
  }

  private run(ops: readonly ModelOp[], succeeded: boolean): ModelOutcome {
    const puts = ops.filter((op) => op.kind === 'put').map((op) => op.key);
    const deletes = ops.filter((op) => op.kind === 'delete');
    const duplicate = new Set(puts).size !== puts.length || puts.some((key) => deletes.some((op) => inInterval(key, op.key, op.end)));
    if (duplicate) return { ok: false, code: ErrorCode.invalidArgument };
    const main = this.revision + 1;
    const details: string[] = [`succeeded=${succeeded}`];
    let wrote = false;
    for (const op of ops) {
      if (op.kind === 'put') {
        const existing = this.state.get(op.key);
        this.state.set(op.key, { value: op.value, createRevision: existing?.createRevision ?? main, modRevision: main, version: (existing?.version ?? 0) + 1 });
        this.events.push(`put:${op.key}@${main}`);
        wrote = true;
      } else if (op.kind === 'delete') {
        const doomed = [...this.state.keys()].filter((key) => inInterval(key, op.key, op.end)).sort();
        for (const key of doomed) {
          this.state.delete(key);
          this.events.push(`delete:${key}@${main}`);
        }
        wrote ||= doomed.length > 0;
        details.push(`deleted=${doomed.length}`);
      } else {
        details.push(`range=${describeState(this.state, op.key, op.end)}`);
      }
    }
    if (wrote) {
      this.revision = main;
      this.history.set(main, new Map(this.state));
    }
    return { ok: true, revision: this.revision, detail: details.join(' ') };
  }
}

function describeState(state: ReadonlyMap<string, ModelKv>, start: string, end: string | null): string {
  return [...state.entries()]
    .filter(([key]) => inInterval(key, start, end))
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([key, kv]) => `${key}=${kv.value}/${kv.createRevision}/${kv.modRevision}/${kv.version}`)
    .join(',');
}

// ---------------------------------------------------------------------------------------------
// Translation to store commands and back.

const endBytes = (end: string | null): Uint8Array => (end === null ? new Uint8Array(0) : end === '\0' ? new Uint8Array([0]) : bytes(end));

function toRequestOp(op: ModelOp): RequestOp {
  if (op.kind === 'put') return requestOp.put(bytes(op.key), bytes(op.value));
  if (op.kind === 'delete') return requestOp.deleteRange(bytes(op.key), endBytes(op.end));
  return requestOp.range({ key: bytes(op.key), rangeEnd: endBytes(op.end) });
}

function toCompare(compare: ModelCompare): Compare {
  const base = { key: bytes(compare.key), rangeEnd: new Uint8Array(0), result: compare.result };
  if (compare.target === 'version') return { ...base, target: 'version', version: compare.operand };
  if (compare.target === 'mod') return { ...base, target: 'mod', modRevision: compare.operand };
  return { ...base, target: 'value', value: bytes(String(compare.operand)) };
}

function toCommand(modelCommand: ModelCommand, model: Model): Command {
  switch (modelCommand.kind) {
    case 'compact':
      return command.compact(Math.max(1, model.revision - modelCommand.back));
    case 'txn':
      return command.txn({ compare: modelCommand.compare.map(toCompare), success: modelCommand.success.map(toRequestOp), failure: modelCommand.failure.map(toRequestOp) });
    default:
      return command.txn({ compare: [], success: [toRequestOp(modelCommand)], failure: [] });
  }
}

function describeOutcome(outcome: ApplyOutcome | undefined): ModelOutcome {
  if (outcome === undefined) throw new Error('missing outcome');
  if (!outcome.ok) return { ok: false, code: outcome.error.code };
  const { response } = outcome;
  if (response.type === 'compact') return { ok: true, revision: response.response.header.revision, detail: 'compact' };
  if (response.type !== 'txn') throw new Error(`unexpected ${response.type}`);
  const details: string[] = [`succeeded=${response.response.succeeded}`];
  for (const op of response.response.responses) {
    if (op.type === 'deleteRange') details.push(`deleted=${op.response.deleted}`);
    if (op.type === 'range') {
      details.push(`range=${op.response.kvs.map((kv) => `${text(kv.key)}=${text(kv.value)}/${kv.createRevision}/${kv.modRevision}/${kv.version}`).join(',')}`);
    }
  }
  return { ok: true, revision: response.response.header.revision, detail: details.join(' ') };
}

// ---------------------------------------------------------------------------------------------
// Generators.

const keyArbitrary = fc.constantFrom('a', 'ab', 'b', 'c', 'd', 'e');
const endArbitrary = fc.option(fc.constantFrom('b', 'c', 'e', 'z', '\0'), { nil: null });
const opArbitrary: fc.Arbitrary<ModelOp> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('put' as const), key: keyArbitrary, value: fc.constantFrom('0', '1', '2', '3') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArbitrary, end: endArbitrary }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('range' as const), key: keyArbitrary, end: endArbitrary }) },
);
const compareArbitrary: fc.Arbitrary<ModelCompare> = fc.record({
  key: keyArbitrary,
  target: fc.constantFrom('version' as const, 'mod' as const, 'value' as const),
  result: fc.constantFrom('equal' as const, 'notEqual' as const, 'less' as const, 'greater' as const),
  operand: fc.integer({ min: 0, max: 4 }),
});
const commandArbitrary: fc.Arbitrary<ModelCommand> = fc.oneof(
  { weight: 5, arbitrary: opArbitrary.filter((op) => op.kind !== 'range') },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('txn' as const),
      compare: fc.array(compareArbitrary, { maxLength: 2 }),
      success: fc.array(opArbitrary, { maxLength: 3 }),
      failure: fc.array(opArbitrary, { maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), back: fc.integer({ min: 0, max: 4 }) }) },
);
/** Commands plus how they are split into apply batches (reads inside a batch go through the overlay). */
const scenarioArbitrary = fc.record({
  commands: fc.array(commandArbitrary, { minLength: 1, maxLength: 40 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 40 }),
});

const all = { key: new Uint8Array([0]), rangeEnd: new Uint8Array([0]) };

describe('MvccStore against a reference model', () => {
  it('agrees on outcomes, state at every retained revision, watch events, and survives reopen', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, async ({ commands, batchSizes }) => {
        const harness = await StoreHarness.create();
        try {
          const model = new Model();
          const watcher = harness.store.watch({ ...all });
          let position = 0;
          for (let batchNumber = 0; position < commands.length; batchNumber++) {
            const size = batchSizes[batchNumber % batchSizes.length] ?? 1;
            const slice = commands.slice(position, position + size);
            position += size;
            // Translate each command against the model state it will meet (a compact names a revision).
            const storeCommands: Command[] = [];
            const expected: ModelOutcome[] = [];
            for (const modelCommand of slice) {
              storeCommands.push(toCommand(modelCommand, model));
              expected.push(model.apply(modelCommand));
            }
            const outcomes = await harness.applyBatch(storeCommands);
            expect(outcomes.map(describeOutcome)).toEqual(expected);
          }
          expect(harness.store.revision).toBe(model.revision);
          expect(harness.store.compactRevision).toBe(model.compactRevision);
          for (let revision = Math.max(1, model.compactRevision); revision <= model.revision; revision++) {
            const { kvs } = await harness.store.range({ ...all, revision });
            const actual = kvs.map((kv) => `${text(kv.key)}=${text(kv.value)}/${kv.createRevision}/${kv.modRevision}/${kv.version}`).join(',');
            expect(actual).toBe(describeState(model.at(revision), '', '\0'));
          }
          if (model.compactRevision > 1) {
            await expect(harness.store.range({ ...all, revision: model.compactRevision - 1 })).rejects.toMatchObject({ code: ErrorCode.storeCompacted });
          }
          const responses = await collectUntil<WatchResponse>(watcher, (collected) => collected.flatMap((r) => (r.kind === 'events' ? r.events : [])).length >= model.events.length);
          const seen = responses.flatMap((r) => (r.kind === 'events' ? r.events : [])).map((event) => `${event.type}:${text(event.kv.key)}@${event.kv.modRevision}`);
          expect(seen).toEqual(model.events);
          const hash = await harness.store.hashKv();
          await harness.reopen();
          expect(await harness.store.hashKv()).toEqual(hash);
          expect((await harness.store.range(all)).count).toBe(model.state.size);
        } finally {
          await harness.destroy();
        }
      }),
      { numRuns: Number(process.env['FLOTILLA_PROPERTY_RUNS'] ?? 60) },
    );
  });
});
