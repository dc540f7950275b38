import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/**
 * The checkout's root (the directory holding Flotilla's package.json). Files that are not code —
 * .proto files, examples, test fixtures, bin/flotilla.js — stay there when the code runs compiled
 * from dist/, so they are found from the root rather than relative to the running module.
 */
export function projectRoot(): string {
  if (root !== null) return root;
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json')) || !existsSync(join(directory, 'bin', 'flotilla.js'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no Flotilla checkout above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
  root = directory;
  return root;
}

/** A path inside the checkout, from a root-relative one ('examples/hello/'). */
export function projectPath(relative: string): string {
  return join(projectRoot(), relative);
}

/** Whether this module runs compiled (from dist/, as .js) rather than from its TypeScript source. */
export function runsCompiled(): boolean {
  return import.meta.url.endsWith('.js');
}
