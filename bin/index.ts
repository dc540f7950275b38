export { main, parseIntegerOption } from './main.ts';
