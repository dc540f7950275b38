#!/usr/bin/env node
// The `flotilla` command. It runs the compiled JavaScript in dist/ (`npm run build`, which `npm ci`
// runs too) while that build is newer than every source file; otherwise — no build, or a source
// edited since — it runs the TypeScript sources through tsx's loader, so `npx flotilla` always
// runs the code in the checkout.
import { compiledMain } from './compiled-main.mjs';

const compiled = compiledMain();
if (compiled !== null) {
  const { main } = await import(compiled);
  process.exitCode = await main(process.argv);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('./main.ts');
  process.exitCode = await main(process.argv);
}
