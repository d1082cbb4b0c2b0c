#!/usr/bin/env node
// Keeps the floors of the house true (docs/architecture.md): reads every import of src/ and
// refuses
//   - a file of the shared ground (errors, codec, internal, connection, keyspace, scripting,
//     jobs, observe, maintenance) that imports a family or a tool;
//   - a file of a family (prioritized, queues, topics, tasks) that imports another family or a
//     tool;
//   - a source file (src/, scripts/, bench/, examples/) of more than 700 lines.
// Type-only imports, re-exports and import() count: a type is a dependency too.
// `node scripts/check-floors.mjs [root]` prints each breach and exits 1 when there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared ground: knows no family and no tool. */
export const GROUND = ['errors.ts', 'codec.ts', 'internal', 'connection', 'keyspace', 'scripting', 'jobs', 'observe', 'maintenance'];
/** The families: siblings, none imports another. */
export const FAMILIES = ['prioritized', 'queues', 'topics', 'tasks'];
/** The longest source file, in lines. */
export const MAX_LINES = 700;

const SOURCE = /\.(ts|mts|cts|mjs|cjs|js|lua)$/;
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;

/** Every file under `dir` whose name matches, as paths relative to `root`. */
function filesUnder(root, dir, match) {
  const out = [];
  const walk = (at) => {
    let names;
    try {
      names = readdirSync(at);
    } catch {
      return;
    }
    for (const name of names) {
      if (name === 'node_modules' || name === 'fixtures') continue;
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (match.test(name)) out.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(join(root, dir));
  return out.sort();
}

/**
 * The floor a file of src/ stands on.
 *
 * @param {string} path - `src/…`, with forward slashes
 * @returns {{ floor: 'ground' | 'family' | 'tool', room: string }}
 */
export function floorOf(path) {
  const room = path.split('/')[1] ?? '';
  if (GROUND.includes(room)) return { floor: 'ground', room };
  if (FAMILIES.includes(room)) return { floor: 'family', room };
  return { floor: 'tool', room };
}

/**
 * The relative imports of a source text (comments are skipped line by line).
 *
 * @param {string} text - the source
 * @returns {string[]} the specifiers that start with `.`
 */
export function importsOf(text) {
  const code = text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\/\/.*$/, ''))
    .join('\n');
  return [...code.matchAll(SPECIFIER)].map((m) => m[1]).filter((s) => s.startsWith('.'));
}

/**
 * Every breach of the floors and of the length limit in a checkout.
 *
 * @param {string} root - the checkout
 * @returns {string[]} one line per breach
 */
export function checkFloors(root) {
  const breaches = [];
  for (const file of filesUnder(root, 'src', /\.(ts|mts|cts)$/)) {
    const from = floorOf(file);
    if (from.floor === 'tool') continue;
    for (const specifier of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
      if (!target.startsWith('src/')) continue;
      const to = floorOf(target);
      if (to.floor === 'tool') breaches.push(`${file}: the ${from.floor} imports a tool (${specifier})`);
      else if (from.floor === 'ground' && to.floor === 'family') breaches.push(`${file}: the ground imports a family (${specifier})`);
      else if (from.floor === 'family' && to.floor === 'family' && to.room !== from.room)
        breaches.push(`${file}: a family imports another family (${specifier})`);
    }
  }
  for (const dir of ['src', 'scripts', 'bench', 'examples']) {
    for (const file of filesUnder(root, dir, SOURCE)) {
      const lines = readFileSync(join(root, file), 'utf8').split('\n').length - 1;
      if (lines > MAX_LINES) breaches.push(`${file}: ${String(lines)} lines, more than ${String(MAX_LINES)}`);
    }
  }
  return breaches;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const breaches = checkFloors(root);
  for (const breach of breaches) console.error(breach);
  if (breaches.length > 0) {
    console.error(`check-floors: ${String(breaches.length)} breach(es); see docs/architecture.md`);
    process.exit(1);
  }
  console.log('check-floors: the ground imports no family or tool, no family imports another or a tool, no source file over 700 lines');
}
