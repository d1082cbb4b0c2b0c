/**
 * Writes the help of `good-redis` and of each of its commands into docs/cli.md, between
 * `<!-- help: <command> -->` and `<!-- /help -->` (`<!-- help: -->` for the program's own;
 * `<!-- help: queue inspect -->` for a command of a group).
 *
 *   npm run docs:cli            # rewrite the blocks
 *   npm run docs:cli -- --check # exit 1 when a block is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { runCli } from '../src/cli/program.js';

const file = new URL('../../docs/cli.md', import.meta.url);
const check = process.argv.includes('--check');

/** The text `good-redis args` prints on stdout. */
async function helpOf(args: string[]): Promise<string> {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  await runCli(args, { stdout: out, stderr: process.stderr, stdin: process.stdin, env: {} });
  return text;
}

const doc = readFileSync(file, 'utf8');
const blocks = [...doc.matchAll(/<!-- help: ?([a-z -]*?) -->\n[\s\S]*?<!-- \/help -->/g)];
let updated = doc;
for (const block of blocks) {
  const command = block[1] ?? '';
  const args = command === '' ? ['--help'] : [...command.split(' '), '--help'];
  const marker = command === '' ? '<!-- help: -->' : `<!-- help: ${command} -->`;
  const fresh = `${marker}\n\`\`\`text\n$ good-redis ${args.join(' ')}\n${await helpOf(args)}\`\`\`\n<!-- /help -->`;
  updated = updated.replace(block[0], fresh);
}
if (check) {
  if (updated !== doc) {
    process.stderr.write('docs/cli.md: the help blocks are out of date; run npm run docs:cli\n');
    process.exit(1);
  }
} else {
  writeFileSync(file, updated);
  process.stdout.write(`docs/cli.md: ${String(blocks.length)} help block(s) written\n`);
}
