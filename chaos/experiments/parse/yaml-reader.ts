import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { parseDuration } from '../duration.ts';
import { closestWord, type ExperimentProblem } from './problems.ts';

/** Shared by every value of one document: where offsets fall, and the problems found so far. */
class ReadContext {
  readonly problems: ExperimentProblem[] = [];
  constructor(readonly lines: LineCounter) {}

  report(path: string, offset: number | null, message: string): void {
    const position = offset === null ? null : this.lines.linePos(offset);
    this.problems.push({ path, line: position?.line ?? null, column: position?.col ?? null, message });
  }
}

/**
 * One place in a parsed YAML document, present or missing, that knows its path and line so each
 * reader method can report a precise problem and carry on (every mistake is listed at once).
 * Readers return null after reporting; callers only assemble values that are all non-null.
 */
export class YamlValue {
  private constructor(
    private readonly context: ReadContext,
    private readonly node: Node | null,
    readonly path: string,
    /** Where to point when this value is missing: its parent's position. */
    private readonly fallbackOffset: number | null,
  ) {}

  /** Parses text; syntax errors are reported and the root is then missing. */
  static parse(text: string): { root: YamlValue; problems: ExperimentProblem[] } {
    const lines = new LineCounter();
    const context = new ReadContext(lines);
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    for (const error of document.errors) context.report('', error.pos[0], `YAML syntax: ${error.message.split('\n')[0] ?? error.message}`);
    const contents = document.errors.length === 0 && document.contents !== null ? (document.contents as Node) : null;
    return { root: new YamlValue(context, contents, '', 0), problems: context.problems };
  }

  get present(): boolean {
    return this.node !== null && !(isScalar(this.node) && this.node.value === null);
  }

  get isMap(): boolean {
    return this.node !== null && isMap(this.node);
  }

  get isSequence(): boolean {
    return this.node !== null && isSeq(this.node);
  }

  report(message: string): null {
    this.context.report(this.path, this.offset, message);
    return null;
  }

  /** The value under `key` of this mapping (missing when this is not a mapping or lacks the key). */
  field(key: string): YamlValue {
    const path = this.path === '' ? key : `${this.path}.${key}`;
    if (this.node === null || !isMap(this.node)) return new YamlValue(this.context, null, path, this.offset);
    const pair = this.node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    const value = pair?.value ?? null;
    const keyOffset = pair !== undefined && isScalar(pair.key) ? (pair.key.range?.[0] ?? this.offset) : this.offset;
    return new YamlValue(this.context, value as Node | null, path, keyOffset);
  }

  /** Reports keys other than `allowed` (with the closest allowed one); false when this is not a mapping. */
  expectMap(allowed: readonly string[], what: string): boolean {
    if (this.node === null || !isMap(this.node)) {
      this.report(`must be a mapping (${what})`);
      return false;
    }
    for (const item of this.node.items) {
      const key = isScalar(item.key) ? String(item.key.value) : '?';
      if (allowed.includes(key)) continue;
      const suggestion = closestWord(key, allowed);
      const offset = isScalar(item.key) ? (item.key.range?.[0] ?? null) : null;
      const path = this.path === '' ? key : `${this.path}.${key}`;
      this.context.report(path, offset, `unknown key "${key}"${suggestion === null ? '' : ` (did you mean "${suggestion}"?)`}; allowed here: ${allowed.join(', ')}`);
    }
    return true;
  }

  /** The keys of this mapping, in file order. */
  keys(): string[] {
    if (this.node === null || !isMap(this.node)) return [];
    return this.node.items.map((item) => (isScalar(item.key) ? String(item.key.value) : '?'));
  }

  /** The items of this sequence; reports and gives [] when it is something else. */
  items(what: string): YamlValue[] {
    if (!this.present) return [];
    if (this.node === null || !isSeq(this.node)) {
      this.report(`must be a list (${what})`);
      return [];
    }
    return this.node.items.map((item, index) => new YamlValue(this.context, item as Node, `${this.path}[${index}]`, this.offset));
  }

  text(what: string): string | null {
    if (!this.present) return this.report(`is required: ${what}`);
    if (this.node === null || !isScalar(this.node) || typeof this.node.value !== 'string') return this.report(`must be text (${what})`);
    return this.node.value;
  }

  optionalText(what: string, fallback: string): string | null {
    return this.present ? this.text(what) : fallback;
  }

  /** A number in [min, max] (a whole number unless `fractional`). */
  number(what: string, min: number, max: number, fractional = false): number | null {
    if (!this.present) return this.report(`is required: ${what}`);
    const value = this.node !== null && isScalar(this.node) ? this.node.value : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || (!fractional && !Number.isInteger(value)) || value < min || value > max) {
      return this.report(`must be ${fractional ? 'a number' : 'a whole number'} from ${min} to ${max} (${what}), got ${this.shown()}`);
    }
    return value;
  }

  optionalNumber(what: string, min: number, max: number, fallback: number, fractional = false): number | null {
    return this.present ? this.number(what, min, max, fractional) : fallback;
  }

  /** A duration with a unit (`300ms`, `1.5s`, `2m`) in [minMs, maxMs]. */
  duration(what: string, minMs: number, maxMs: number): number | null {
    if (!this.present) return this.report(`is required: ${what}, a duration such as 500ms, 2s or 1m`);
    const value = this.node !== null && isScalar(this.node) ? this.node.value : undefined;
    const parsed = typeof value === 'string' ? parseDuration(value) : null;
    if (parsed === null) {
      const hint = typeof value === 'number' ? ` — add a unit: ${value}ms or ${value}s` : '';
      return this.report(`must be a duration such as 500ms, 2s or 1m (${what}), got ${this.shown()}${hint}`);
    }
    if (parsed < minMs || parsed > maxMs) return this.report(`must be from ${minMs} ms to ${maxMs} ms (${what}), got ${parsed} ms`);
    return parsed;
  }

  optionalDuration(what: string, minMs: number, maxMs: number, fallback: number): number | null {
    return this.present ? this.duration(what, minMs, maxMs) : fallback;
  }

  optionalBoolean(what: string, fallback: boolean): boolean | null {
    if (!this.present) return fallback;
    const value = this.node !== null && isScalar(this.node) ? this.node.value : undefined;
    if (typeof value !== 'boolean') return this.report(`must be true or false (${what}), got ${this.shown()}`);
    return value;
  }

  /** One of the listed words. */
  choice<Word extends string>(what: string, words: readonly Word[]): Word | null {
    const value = this.text(what);
    if (value === null) return null;
    if ((words as readonly string[]).includes(value)) return value as Word;
    const suggestion = closestWord(value, words);
    return this.report(`"${value}" is not ${what}${suggestion === null ? '' : ` (did you mean "${suggestion}"?)`}; use one of: ${words.join(', ')}`);
  }

  private get offset(): number | null {
    return this.node?.range?.[0] ?? this.fallbackOffset;
  }

  private shown(): string {
    if (this.node === null) return 'nothing';
    if (isScalar(this.node)) return JSON.stringify(this.node.value);
    return isMap(this.node) ? 'a mapping' : isSeq(this.node) ? 'a list' : 'something else';
  }
}
