import { readFileSync } from 'node:fs';

const INCLUDE = /^--- @include "([\w/-]+)"$/gm;

/**
 * Reads a Lua script that sits beside the module at `base`, replacing each
 * `--- @include "includes/name"` line with that file (once per script).
 *
 * @param base - the `import.meta.url` of a module next to the `lua/` folder
 * @param file - the script's path relative to that folder, e.g. `lua/addItem-5.lua`
 */
export function loadLua(base: string, file: string): string {
  const folder = new URL('.', new URL(file, base));
  const seen = new Set<string>();
  const expand = (source: string): string =>
    source.replace(INCLUDE, (_line, name: string) => {
      if (seen.has(name)) return '';
      seen.add(name);
      return expand(readFileSync(new URL(`${name}.lua`, folder), 'utf8'));
    });
  return expand(readFileSync(new URL(file, base), 'utf8'));
}
