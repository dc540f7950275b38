// Whether dist/ holds a build of the current sources: its stamp (written last by bin/build.mjs)
// must be newer than every source file. A stat of each source is a few milliseconds at startup,
// against the stale-code bugs a "build once, forget" dist/ would cause.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const checkoutRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** The URL of `<root>/dist/bin/main.js` when that build is fresh, else null. FLOTILLA_NO_DIST=1 forces the sources. */
export function compiledMain(root = checkoutRoot, env = process.env) {
  if (env.FLOTILLA_NO_DIST === '1') return null;
  let builtAtMs;
  try {
    builtAtMs = statSync(join(root, 'dist', 'build-stamp')).mtimeMs;
  } catch {
    return null;
  }
  const folders = compiledFolders(root);
  if (folders === null) return null;
  for (const folder of folders) {
    if (newestSourceMs(join(root, folder)) >= builtAtMs) return null;
  }
  return pathToFileURL(join(root, 'dist', 'bin', 'main.js')).href;
}

/**
 * The folders the build compiles: tsconfig.build.json's `include` (so the two never disagree), plus
 * any other folder tsc emitted because included code imports from it (the benchmarks use test/'s
 * harness). Null: the config is unreadable.
 */
function compiledFolders(root) {
  let include;
  try {
    include = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include;
  } catch {
    return null;
  }
  if (!Array.isArray(include)) return null;
  let emitted = [];
  try {
    emitted = readdirSync(join(root, 'dist'), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    // No dist/: the stamp check has already failed.
  }
  return [...new Set([...include, ...emitted])];
}

function newestSourceMs(directory) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}
