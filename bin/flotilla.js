#!/usr/bin/env node
// The `flotilla` command. It runs the compiled JavaScript in dist/ (`npm run build`, which `npm ci`
// runs too) while that build is newer than every source file; otherwise — no build, or a source
// edited since — it runs the TypeScript sources through tsx's loader, so `npx flotilla` always
// runs the code in the checkout.
import { compiledMain } from './compiled-main.mjs';

async function loadMain() {
  const compiled = compiledMain();
  if (compiled !== null) return (await import(compiled)).main;
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('./main.ts')).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv);
