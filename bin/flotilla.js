#!/usr/bin/env node
// The `flotilla` command. The sources are TypeScript run through tsx's loader, so `npx flotilla`
// works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
