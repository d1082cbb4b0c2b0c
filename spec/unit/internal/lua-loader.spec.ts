import assert from 'node:assert/strict';
import { keyCount, scriptSources, SCRIPTS, type ScriptName } from '../../../src/prioritized/scripts.js';

describe('Lua scripts', () => {
  it('should expand every include and leave no directive behind', () => {
    const sources = scriptSources();
    assert.equal(sources.size, Object.keys(SCRIPTS).length);
    for (const [name, source] of sources) {
      assert.doesNotMatch(source, /--- @include/, name);
      if (source.includes('toFinite(')) assert.match(source, /local function toFinite/, `${name} includes common`);
    }
    assert.match(sources.get('addItems') ?? '', /local function addGeneral/);
    assert.match(sources.get('addItem') ?? '', /local function addGeneral/, 'one add implementation for psadd and psaddmany');
  });

  it('should include each helper once even when included twice', () => {
    const source = scriptSources().get('addItem') ?? '';
    assert.equal(source.match(/local function serverNowMs/g)?.length, 1);
  });

  it('should take the number of KEYS from the file name and list each KEYS[i] in the header', () => {
    for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
      const n = keyCount(name);
      const source = scriptSources().get(name) ?? '';
      assert.ok(n >= 1, name);
      for (let i = 1; i <= n; i += 1) assert.match(source, new RegExp(`KEYS\\[${String(i)}\\]`), `${name} documents KEYS[${String(i)}]`);
      assert.doesNotMatch(source, new RegExp(`KEYS\\[${String(n + 1)}\\]`), `${name} uses no KEYS beyond ${String(n)}`);
    }
  });
});
