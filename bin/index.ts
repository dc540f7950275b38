export { main } from './main.ts';
export { parseIntegerOption } from './integer-option.ts';
