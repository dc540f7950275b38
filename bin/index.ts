export { commandModules, main } from './main.ts';
export { parseIntegerOption } from './integer-option.ts';
