import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadLua } from '../../../src/scripting/lua-loader.js';
import { STREAM_SCRIPTS } from '../../../src/prioritized/scripts.js';

describe('Lua loader (unit)', () => {
  let dir: string;
  let shared: URL;
  let family: URL;
  const write = (path: string, text: string): URL => {
    writeFileSync(join(dir, path), text);
    return pathToFileURL(join(dir, path));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'good-redis-lua-'));
    mkdirSync(join(dir, 'shared'));
    mkdirSync(join(dir, 'family'));
    shared = pathToFileURL(join(dir, 'shared') + '/');
    family = pathToFileURL(join(dir, 'family') + '/');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should expand includes from both roots, nested ones too, each once', () => {
    write('shared/numbers.lua', 'local function num() end');
    write('family/stream.lua', '--- @include "numbers"\nlocal function stream() end');
    const script = write('s-1.lua', '--- @include "stream"\n--- @include "numbers"\nreturn 1');
    const lua = loadLua(script, [shared, family]);
    assert.equal(lua, 'local function num() end\nlocal function stream() end\n\nreturn 1');
  });

  it('should refuse an include found in no root, or in two', () => {
    const missing = write('a-1.lua', '--- @include "nowhere"\nreturn 1');
    assert.throws(() => loadLua(missing, [shared, family]), /the include "nowhere" is in none of/);
    write('shared/twice.lua', '');
    write('family/twice.lua', '');
    const twice = write('b-1.lua', '--- @include "twice"\nreturn 1');
    assert.throws(() => loadLua(twice, [shared, family]), /the include "twice" is in more than one of/);
  });

  it('should have embedded every stream script with its includes expanded', () => {
    const sources = STREAM_SCRIPTS.sources();
    assert.equal(sources.size, STREAM_SCRIPTS.names.length);
    for (const [name, source] of sources) {
      assert.doesNotMatch(source, /--- @include/, name);
      assert.match(source, /local function namedKeys/, `${name} declares its keys`);
      if (source.includes('toFinite(')) assert.match(source, /local function toFinite/, `${name} includes numbers`);
      assert.ok((source.match(/local function serverNowMs/g)?.length ?? 0) <= 1, `${name} includes time once`);
    }
    assert.match(sources.get('addItem') ?? '', /local function addGeneral/, 'one add implementation for psadd and psaddmany');
    assert.match(sources.get('addItems') ?? '', /local function addGeneral/);
  });
});
