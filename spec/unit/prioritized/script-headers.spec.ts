/**
 * Each script's header lists its KEYS; the key builder and the script table decide what is
 * sent. This checks, without a server, that the two agree for every script, so a header cannot
 * drift from the keys a script really gets (issue 13).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { keyCount, SCRIPTS, type ScriptName } from '../../../src/prioritized/scripts.js';
import { streamKeys } from '../../../src/index.js';

const HEADER_KEY = /^\s+KEYS\[(\d+)\]\s+.*?\s(\{name\}:[a-z]+)(?:\s|$)/gm;

describe('script headers (unit)', () => {
  const keys = streamKeys('name');
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    it(`${SCRIPTS[name].file}: its header names the keys it is sent, in order`, () => {
      const source = readFileSync(new URL(`../../../../src/prioritized/lua/${SCRIPTS[name].file}`, import.meta.url), 'utf8');
      const header = [...source.matchAll(HEADER_KEY)].map((m) => [Number(m[1]), m[2]] as const);
      const sent = SCRIPTS[name].keys(keys);
      assert.equal(sent.length, keyCount(name), 'the file name counts the keys the script is sent');
      assert.deepEqual(
        header,
        sent.map((key, i) => [i + 1, key] as const),
        'KEYS[i] in the header must be the i-th key sent',
      );
    });
  }
});
