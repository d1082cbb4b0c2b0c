#!/usr/bin/env node
// Copies every .lua file under src/ to the same place under the given output folder
// (dist/ for the package, build/src/ for tests), since tsc copies only .ts output.
import { cpSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/copy-lua.mjs <out-dir>');
  process.exit(2);
}
let copied = 0;
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.lua')) {
      cpSync(path, join(out, relative('src', path)));
      copied += 1;
    }
  }
};
walk('src');
if (copied === 0) {
  console.error('copy-lua: no .lua file found under src/');
  process.exit(1);
}
