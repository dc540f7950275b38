#!/usr/bin/env node
// `npm run build` (also run by `npm ci` through `prepare`): compiles the TypeScript sources to
// dist/ with tsc, so `flotilla` processes run plain JavaScript instead of loading tsx. tsx runs its
// module hooks on a loader thread of their own, about 50 MB of resident memory in every server,
// agent and proxy. bin/flotilla.js uses dist/ only while it is newer than every source file, so an
// edited checkout never runs stale code; without a build it runs the sources through tsx.
//
// Type errors do not stop the build (`npm run typecheck` is where they fail); a compiler that
// cannot run, or a missing tsc (an install without devDependencies), leaves no dist/ behind.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const optional = process.argv.includes('--optional');

function giveUp(message) {
  rmSync(dist, { recursive: true, force: true });
  console.error(`flotilla build: ${message}; flotilla will run its TypeScript sources through tsx.`);
  process.exit(optional ? 0 : 1);
}

if (!existsSync(tsc)) giveUp('typescript is not installed (npm ci installs it)');
rmSync(dist, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, encoding: 'utf8' });
if (result.error !== undefined) giveUp(`tsc did not run: ${result.error.message}`);
if (!existsSync(join(dist, 'bin', 'main.js'))) giveUp(`tsc emitted nothing:\n${result.stdout}${result.stderr}`);
if (result.status !== 0) console.error(`flotilla build: tsc reported type errors (run npm run typecheck); the output is usable:\n${result.stdout}`);
// Written last: bin/flotilla.js trusts dist/ only when this stamp is newer than every source.
writeFileSync(join(dist, 'build-stamp'), `${new Date().toISOString()}\n`);
console.error('flotilla build: compiled to dist/');
