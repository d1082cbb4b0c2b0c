/**
 * Each script declares the keys it touches in one line, `local K = namedKeys(...)`; the script
 * table decides what is sent. This checks, without a server, that the two agree for every
 * script, that the file name counts them, and that the script and the helpers it calls use
 * exactly the keys it declares (issue 13): no more (Redis would get a nil key), no fewer (a
 * script must not claim keys it never touches).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ScriptSet } from '../../../src/scripting/script-set.js';

const DECLARATION = /^local K = namedKeys\(([^)]*)\)$/m;
const FUNCTION = /^local function (\w+)\([^)]*\)\n([\s\S]*?)^end$/gm;

/** The keys a chunk of Lua reads from its K table. */
function fieldsOf(lua: string): Set<string> {
  return new Set([...lua.matchAll(/\bK\.(\w+)/g)].map((m) => m[1] ?? ''));
}

/** The keys the script (its main chunk and every function it calls, transitively) reads from K; `*` for every key. */
export function keysUsed(lua: string): Set<string> {
  const source = lua.replace(/--\[\[[\s\S]*?\]\]/g, '').replace(/--.*$/gm, '');
  const functions = new Map([...source.matchAll(FUNCTION)].map((m) => [m[1] ?? '', m[2] ?? '']));
  const main = source.replace(FUNCTION, '');
  const used = fieldsOf(main);
  if (main.includes('unpack(KEYS)')) used.add('*');
  const seen = new Set<string>();
  const visit = (lua: string): void => {
    for (const [name, body] of functions) {
      if (seen.has(name) || !new RegExp(`\\b${name}\\(`).test(lua)) continue;
      seen.add(name);
      for (const field of fieldsOf(body)) used.add(field);
      visit(body);
    }
  };
  visit(main);
  return used;
}

/**
 * Declares the checks of one family's scripts.
 *
 * @param family - names the suite
 * @param scripts - the family's script set
 * @param folder - the family's folder under src/ (its scripts are in lua/)
 * @param roles - the roles of the family's key builder
 * @param siblings - the family's other script sets whose scripts share the folder (topics: partition and topic scripts)
 */
export function describeScriptKeys<N extends string>(
  family: string,
  scripts: ScriptSet<N, string>,
  folder: string,
  roles: readonly string[],
  siblings: readonly ScriptSet<string, string>[] = [],
): void {
  const LUA = new URL(`../../../../src/${folder}/lua/`, import.meta.url);
  describe(`script keys of ${family} (unit)`, () => {
    for (const name of scripts.names) {
      const definition = scripts.definitions[name];
      it(`${definition.file}: declares the keys the script table sends, and uses exactly those`, () => {
        const file = readFileSync(new URL(definition.file, LUA), 'utf8');
        const declared = DECLARATION.exec(file)?.[1]
          ?.split(',')
          .map((role) => role.trim().replace(/^'|'$/g, ''));
        assert.deepEqual(declared, [...definition.keys], 'namedKeys(...) must list the keys sent, in order');
        assert.equal(definition.keys.length, scripts.keyCount(name), 'the file name counts the keys');
        for (const role of definition.keys) assert.ok(roles.includes(role), `${role} is a key of the key builder`);
        assert.doesNotMatch(file.replace(/^--\[\[[\s\S]*?\]\]$/m, ''), /KEYS\[/, 'keys are read by name, not by position');

        const used = keysUsed(scripts.sources().get(name) ?? '');
        if (used.has('*')) assert.deepEqual(new Set(definition.keys), new Set(roles), 'a script that unpacks KEYS declares every key');
        else assert.deepEqual([...used].sort(), [...definition.keys].sort(), 'the keys used (helpers included) must be the keys declared');
      });
    }

    it('should keep the helpers free of positional keys', () => {
      // A family whose scripts need no helpers of their own has no includes folder.
      const folders = [new URL('includes/', LUA), new URL('../../../../src/scripting/lua/includes/', import.meta.url)].filter((f) => existsSync(f));
      for (const folder of folders) {
        for (const file of readdirSync(folder)) {
          const lua = readFileSync(new URL(file, folder), 'utf8');
          const code = lua.replace(/^\s*--.*$/gm, '');
          if (file !== 'keys.lua') assert.doesNotMatch(code, /KEYS/, `${file} takes its keys as parameters`);
          for (const m of code.matchAll(FUNCTION)) {
            if (fieldsOf(m[2] ?? '').size > 0) assert.match(m[0], /^local function \w+\(K[,)]/, `${file}: ${m[1] ?? ''} reads K, so takes it first`);
          }
        }
      }
    });

    it('should find a key used without being declared (the check can fail)', () => {
      const source =
        "local K = namedKeys('items')\nlocal function touch(K, key)\n  redis.call('DEL', K.state)\nend\ntouch(K, 'x')\nreturn redis.call('GET', K.items)\n";
      assert.deepEqual([...keysUsed(source)].sort(), ['items', 'state']);
    });

    it('should give every script name a definition with a file', () => {
      const files = readdirSync(LUA).filter((f) => f.endsWith('.lua'));
      const defined = [scripts, ...siblings].flatMap((set) => Object.values<{ file: string }>(set.definitions).map((d) => d.file));
      assert.deepEqual(files.sort(), defined.sort());
    });
  });
}
