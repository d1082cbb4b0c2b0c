import { existsSync, readFileSync } from 'node:fs';

const INCLUDE = /^--- @include "([\w-]+)"$/gm;

/**
 * Reads a Lua script, replacing each `--- @include "name"` line with the file `name.lua` of
 * the include roots (each include at most once per script, however often it is asked for;
 * includes may include others). A name must be found in exactly one root: the shared includes
 * (`src/scripting/lua/includes/`) and a family's (`src/<family>/lua/includes/`) never shadow
 * each other, so the order of the roots does not matter.
 *
 * The build runs this once per script (`scripts/embed-lua.mjs`); the package reads no file at
 * run time.
 *
 * @param script - the script's file URL
 * @param roots - the folders that hold includes, as URLs ending in `/`
 * @returns the script with its includes expanded
 * @throws Error when an include is missing or found in two roots
 */
export function loadLua(script: URL, roots: readonly URL[]): string {
  const seen = new Set<string>();
  const expand = (source: string, from: string): string =>
    source.replace(INCLUDE, (_line, name: string) => {
      if (seen.has(name)) return '';
      seen.add(name);
      const found = roots.map((root) => new URL(`${name}.lua`, root)).filter((url) => existsSync(url));
      if (found.length !== 1) {
        const where = found.length === 0 ? 'in none of' : 'in more than one of';
        throw new Error(`${from}: the include "${name}" is ${where} ${roots.map((r) => r.pathname).join(', ')}`);
      }
      const [url] = found as [URL];
      return expand(readFileSync(url, 'utf8'), url.pathname);
    });
  return expand(readFileSync(script, 'utf8'), script.pathname);
}
