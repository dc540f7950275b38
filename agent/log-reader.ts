import { open, stat } from 'node:fs/promises';
import { rotatedFiles } from './log-rotation.ts';

/** Bytes read per system call when scanning a log file. */
const chunkBytes = 64 * 1024;
/** A line longer than this is cut (so a process without newlines cannot exhaust memory). */
export const logLineBytesMax = 256 * 1024;

export interface LogReadOptions {
  readonly filesMax: number;
  readonly tailLines?: number;
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** For follow: how long to wait between looks at the file. */
  readonly pollMs: number;
  /** For follow: true once the instance has exited (its log will not grow any more). */
  readonly isFinished: () => boolean;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * The lines of one container instance's log (rotated files, then the current one), optionally only
 * the last `tailLines`, optionally followed as it grows. Follow survives copy-truncate rotation: when
 * the current file shrinks, the rest of what was being read is in `.1`.
 */
export async function* readLogLines(logFile: string, options: LogReadOptions): AsyncGenerator<string> {
  const files = rotatedFiles(logFile, options.filesMax);
  const sizes = await Promise.all(files.map(fileSize));
  const splitter = new LineSplitter();
  const lines = options.tailLines === undefined
    ? await readAll(files, sizes, splitter)
    : await readTail(files, sizes, options.tailLines, splitter);
  // Without follow, an unterminated last line is still a line (and counts toward the tail).
  if (options.follow !== true) lines.push(...splitter.flush());
  yield* options.tailLines === undefined ? lines : lines.slice(Math.max(0, lines.length - options.tailLines));
  if (options.follow !== true) return;
  yield* follow(logFile, sizes[sizes.length - 1] ?? 0, splitter, options);
}

async function* follow(logFile: string, startOffset: number, splitter: LineSplitter, options: LogReadOptions): AsyncGenerator<string> {
  let offset = startOffset;
  while (options.signal?.aborted !== true) {
    const finished = options.isFinished();
    const size = await fileSize(logFile);
    let readAny = false;
    if (size < offset) {
      const rotatedSize = await fileSize(`${logFile}.1`);
      if (rotatedSize > offset) yield* splitter.push(await readRange(`${logFile}.1`, offset, rotatedSize));
      offset = 0;
      readAny = true;
    }
    if (size > offset) {
      yield* splitter.push(await readRange(logFile, offset, size));
      offset = size;
      readAny = true;
    }
    if (finished && !readAny) break;
    if (!readAny) await options.sleep(options.pollMs, options.signal).catch(() => undefined);
  }
  yield* splitter.flush();
}

async function readAll(files: readonly string[], sizes: readonly number[], splitter: LineSplitter): Promise<string[]> {
  const lines: string[] = [];
  for (const [index, file] of files.entries()) {
    const size = sizes[index] ?? 0;
    for (let position = 0; position < size; position += chunkBytes) {
      lines.push(...splitter.push(await readRange(file, position, Math.min(size, position + chunkBytes))));
    }
  }
  return lines;
}

/** Reads backwards from the newest file until `count` complete lines are in hand. */
async function readTail(files: readonly string[], sizes: readonly number[], count: number, splitter: LineSplitter): Promise<string[]> {
  if (count <= 0) return [];
  const chunks: Buffer[] = [];
  let newlines = 0;
  for (let index = files.length - 1; index >= 0 && newlines <= count; index--) {
    const file = files[index] ?? '';
    for (let end = sizes[index] ?? 0; end > 0 && newlines <= count; end -= chunkBytes) {
      const chunk = await readRange(file, Math.max(0, end - chunkBytes), end);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines++;
    }
  }
  // The first line may be cut at a chunk boundary; the caller keeps only the last `count`.
  return splitter.push(Buffer.concat(chunks));
}

async function readRange(file: string, start: number, end: number): Promise<Buffer> {
  if (end <= start) return Buffer.alloc(0);
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return Buffer.alloc(0);
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Splits bytes into lines, holding back an incomplete last line (and UTF-8 sequences) for later. */
class LineSplitter {
  private carry: Buffer = Buffer.alloc(0);

  push(bytes: Buffer): string[] {
    let data = this.carry.length === 0 ? bytes : Buffer.concat([this.carry, bytes]);
    const lines: string[] = [];
    let newline = data.indexOf(0x0a);
    while (newline >= 0) {
      lines.push(data.subarray(0, Math.min(newline, logLineBytesMax)).toString('utf8'));
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    if (data.length > logLineBytesMax) {
      lines.push(data.subarray(0, logLineBytesMax).toString('utf8'));
      data = Buffer.alloc(0);
    }
    this.carry = Buffer.from(data);
    return lines;
  }

  flush(): string[] {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return rest.length === 0 ? [] : [rest.toString('utf8')];
  }
}
