/** See compiled-main.mjs: the URL of `<root>/dist/bin/main.js` when that build is newer than every source, else null. */
export function compiledMain(root?: string, env?: Readonly<Record<string, string | undefined>>): string | null;
