import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { FlotillaError, type ErrorCode } from '../../common/index.ts';
import type { Entry } from '../../raft/index.ts';
import { encodeCommand, MvccStore, type ApplyOutcome, type Command, type CommandResponse, type MvccStoreOptions } from '../../store/index.ts';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (value: Uint8Array): string => new TextDecoder().decode(value);

export function openDatabase(directory: string): ClassicLevel<Uint8Array, Uint8Array> {
  return new ClassicLevel<Uint8Array, Uint8Array>(directory, { keyEncoding: 'view', valueEncoding: 'view' });
}

export async function makeTempDirectory(prefix = 'flotilla-store-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function normalEntry(index: number, command: Command, term = 1): Entry {
  return { type: 'normal', term, index, data: encodeCommand(command) };
}

/** A store on a real LevelDB in a temp directory, fed entries the way a Raft driver would. */
export class StoreHarness {
  nextIndex: number;

  private constructor(
    readonly directory: string,
    public db: ClassicLevel<Uint8Array, Uint8Array>,
    public store: MvccStore,
    private readonly options: Omit<MvccStoreOptions, 'db'>,
  ) {
    this.nextIndex = store.appliedIndex + 1;
  }

  static async create(options: Omit<MvccStoreOptions, 'db'> = {}, directory?: string): Promise<StoreHarness> {
    const dir = directory ?? (await makeTempDirectory());
    const db = openDatabase(join(dir, 'db'));
    await db.open();
    const store = await MvccStore.open({ db, ...options });
    return new StoreHarness(dir, db, store, options);
  }

  get dataDirectory(): string {
    return join(this.directory, 'db');
  }

  /** Applies commands as one batch of consecutive entries; returns their outcomes in order. */
  async applyBatch(commands: readonly Command[]): Promise<ApplyOutcome[]> {
    const entries = commands.map((command) => normalEntry(this.nextIndex++, command));
    const outcomes = await this.store.apply(entries);
    return entries.map((entry) => outcomes.get(entry.index) as ApplyOutcome);
  }

  async outcome(command: Command): Promise<ApplyOutcome> {
    const [outcome] = await this.applyBatch([command]);
    if (outcome === undefined) throw new Error('no outcome');
    return outcome;
  }

  /** Applies one command; throws its FlotillaError if refused. */
  async run(command: Command): Promise<CommandResponse> {
    const outcome = await this.outcome(command);
    if (!outcome.ok) throw new FlotillaError(outcome.error.code, outcome.error.message);
    return outcome.response;
  }

  async expectRefused(command: Command, code: ErrorCode): Promise<void> {
    const outcome = await this.outcome(command);
    if (outcome.ok) throw new Error(`expected ${code}, got success`);
    if (outcome.error.code !== code) throw new Error(`expected ${code}, got ${outcome.error.code}: ${outcome.error.message}`);
  }

  async reopen(): Promise<void> {
    await this.store.close();
    await this.db.close();
    this.db = openDatabase(this.dataDirectory);
    await this.db.open();
    this.store = await MvccStore.open({ db: this.db, ...this.options });
    this.nextIndex = this.store.appliedIndex + 1;
  }

  async destroy(): Promise<void> {
    await this.store.close();
    await this.db.close();
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** Reads a watcher's responses until `predicate` says stop (or times out). */
export async function collectUntil<T>(iterator: AsyncIterator<T>, predicate: (collected: readonly T[]) => boolean, timeoutMs = 5000): Promise<T[]> {
  const collected: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!predicate(collected)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`timed out after ${collected.length} items`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${collected.length} items`)), remaining);
    });
    try {
      const result = await Promise.race([iterator.next(), timeout]);
      if (result.done === true) break;
      collected.push(result.value);
    } finally {
      clearTimeout(timer);
    }
  }
  return collected;
}
