import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Timeline } from '../timeline/timeline.ts';
import type { LoadedRun } from './compare-runs.ts';
import type { RunSummary } from './run-summary.ts';

export const runFiles = { timeline: 'timeline.json', summary: 'summary.json', report: 'report.html', experiment: 'experiment.yaml', log: 'run.log' } as const;

/** A directory that is not a finished run: a usage error (exit 2). */
export class RunDirectoryError extends Error {
  override readonly name = 'RunDirectoryError';
}

export async function writeRun(directory: string, files: { readonly timeline: Timeline; readonly summary: RunSummary; readonly report: string }): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, runFiles.timeline), `${JSON.stringify(files.timeline)}\n`);
  await writeFile(join(directory, runFiles.summary), `${JSON.stringify(files.summary, null, 2)}\n`);
  await writeFile(join(directory, runFiles.report), files.report);
}

/** Reads a run directory written by `flotilla chaos run`, checking the file versions. */
export async function loadRun(directory: string): Promise<LoadedRun> {
  const read = async (name: string): Promise<unknown> => {
    let content: string;
    try {
      content = await readFile(join(directory, name), 'utf8');
    } catch {
      throw new RunDirectoryError(`${directory} is not a run directory: it has no ${name} (give the --out directory of a finished flotilla chaos run)`);
    }
    try {
      return JSON.parse(content) as unknown;
    } catch {
      throw new RunDirectoryError(`${join(directory, name)} is not valid JSON`);
    }
  };
  const summary = await read(runFiles.summary);
  const timeline = await read(runFiles.timeline);
  if (!hasVersionOne(summary) || !hasVersionOne(timeline)) throw new RunDirectoryError(`${directory} was written by another version of flotilla chaos run (version 1 expected)`);
  return { directory, summary: summary as RunSummary, timeline: timeline as Timeline };
}

function hasVersionOne(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { version?: unknown }).version === 1;
}
