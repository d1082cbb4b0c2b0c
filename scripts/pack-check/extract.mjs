// Writes what a new user copies from the docs into the current folder, for the pack check:
// tour.ts (README's "A short tour"), di.ts (docs/configuration.md's inversify example) and
// install.txt (README's install line). Usage: node extract.mjs <repo root>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? '.';

/** The first fenced block of `lang` after the heading `heading` in `file`. */
function block(file, heading, lang) {
  const text = readFileSync(join(root, file), 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`${file}: no heading ${JSON.stringify(heading)}`);
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text.slice(at));
  if (match === null) throw new Error(`${file}: no \`\`\`${lang} block after ${JSON.stringify(heading)}`);
  return match[1];
}

writeFileSync('tour.ts', block('README.md', '## A short tour', 'ts'));
writeFileSync('di.ts', block('docs/configuration.md', '## The inversify module', 'ts'));
const install = block('README.md', '## Install', 'sh').trim();
if (!/^npm install good-redis( \S+)*$/.test(install)) throw new Error(`README.md: the install line is not one npm install: ${install}`);
writeFileSync('install.txt', install.replace(/^npm install good-redis/, '').trim());
