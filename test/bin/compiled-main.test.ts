import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compiledMain } from '../../bin/compiled-main.mjs';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A checkout with one source file and a build stamp, each with the given modification time (s). */
function checkout(sourceAtS: number, stampAtS: number | null): string {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-launcher-'));
  roots.push(root);
  writeFileSync(join(root, 'tsconfig.build.json'), JSON.stringify({ include: ['common', 'store'] }));
  mkdirSync(join(root, 'store', 'etcd-api'), { recursive: true });
  const source = join(root, 'store', 'etcd-api', 'server.ts');
  writeFileSync(source, 'export {};\n');
  utimesSync(source, sourceAtS, sourceAtS);
  if (stampAtS !== null) {
    mkdirSync(join(root, 'dist'), { recursive: true });
    const stamp = join(root, 'dist', 'build-stamp');
    writeFileSync(stamp, 'built\n');
    utimesSync(stamp, stampAtS, stampAtS);
  }
  return root;
}

describe('the launcher picks the compiled build only while it is current', () => {
  it('runs dist/ when its stamp is newer than every source', () => {
    const root = checkout(1_000, 2_000);
    expect(compiledMain(root, {})).toBe(`file://${join(root, 'dist', 'bin', 'main.js')}`);
  });

  it('runs the sources when a source (in a nested folder) was edited after the build', () => {
    expect(compiledMain(checkout(3_000, 2_000), {})).toBeNull();
  });

  it('also checks a folder outside `include` that the build emitted (test/ helpers the benchmarks import)', () => {
    const root = checkout(1_000, 2_000);
    mkdirSync(join(root, 'dist', 'test'), { recursive: true });
    mkdirSync(join(root, 'test'), { recursive: true });
    const helper = join(root, 'test', 'harness.ts');
    writeFileSync(helper, 'export {};\n');
    utimesSync(helper, 1_500, 1_500);
    expect(compiledMain(root, {})).not.toBeNull();
    utimesSync(helper, 3_000, 3_000);
    expect(compiledMain(root, {})).toBeNull();
  });

  it('runs the sources when the build config cannot be read (it names the folders to check)', () => {
    const root = checkout(1_000, 2_000);
    writeFileSync(join(root, 'tsconfig.build.json'), '{ not json');
    expect(compiledMain(root, {})).toBeNull();
  });

  it('runs the sources when there is no build', () => {
    expect(compiledMain(checkout(1_000, null), {})).toBeNull();
  });

  it('runs the sources when FLOTILLA_NO_DIST=1, however fresh the build', () => {
    expect(compiledMain(checkout(1_000, 2_000), { FLOTILLA_NO_DIST: '1' })).toBeNull();
  });
});
