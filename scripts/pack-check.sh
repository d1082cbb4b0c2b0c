#!/usr/bin/env bash
# Packs good-redis as npm would publish it and installs the tarball into a fresh project in a
# temporary folder with README's own install line. There it compiles what a new user copies
# from the docs (README's tour and the DI guide's example, scripts/pack-check/extract.mjs)
# with a strict TypeScript (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess) and
# runs both, checks the package with publint and attw, runs scripts/pack-check/consumer.mjs and a
# CommonJS consumer.cjs (require('good-redis')) against a throwaway redis-server (or
# REDIS_URL), then the good-redis bin: proof that the published files (dist/, the Lua
# scripts, the bin, the types) are complete and that the peer dependencies resolve to one copy.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm run build >/dev/null
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
# The package's metadata and exports map, and its types as each resolution mode sees them.
# attw does not model Node's require(esm): "CJS resolves to ESM" is how CommonJS reaches this
# ESM-only package on Node 20.19+ and 22.12+, proven by consumer.cjs below.
./node_modules/.bin/publint --strict
./node_modules/.bin/attw "$work/$tarball" --ignore-rules cjs-resolves-to-esm --format table-flipped
cd "$work"
printf '{ "name": "pack-check", "private": true, "type": "module" }\n' > package.json
node "$OLDPWD/scripts/pack-check/extract.mjs" "$OLDPWD"
# shellcheck disable=SC2046 # the install line's words, one argument each
npm install --silent --no-audit --no-fund --prefer-offline "./$tarball" $(cat install.txt) >/dev/null
typescript=$(node -p "require('$OLDPWD/node_modules/typescript/package.json').version")
npm install --silent --no-audit --no-fund --prefer-offline --save-dev "typescript@$typescript" '@types/node@^20' >/dev/null
# The Lua is embedded in the modules (scripts/embed-lua.mjs): nothing is read from disk at run time.
if [ -n "$(find node_modules/good-redis -name '*.lua' -o -name 'lua-loader.*')" ]; then
  echo "pack-check: the package ships Lua files or the Lua loader; the scripts should be embedded" >&2
  exit 1
fi
copies=$(find node_modules -name package.json -path '*/ioredis/package.json' -not -path '*/ioredis/*/*' | wc -l)
if [ "$copies" -ne 1 ]; then
  echo "pack-check: $copies copies of ioredis installed; the peer dependency should leave one" >&2
  exit 1
fi
cp "$OLDPWD/scripts/pack-check/consumer.mjs" "$OLDPWD/scripts/pack-check/consumer.cjs" "$OLDPWD/scripts/pack-check/tsconfig.json" .
./node_modules/.bin/tsc -p tsconfig.json
echo 'pack-check: README tour and DI example compile with strict TypeScript in a fresh project'
node --input-type=module -e "
import { spawnSync } from 'node:child_process';
const { redisForRun } = await import('$OLDPWD/build/scripts/topologies.js');
const server = await redisForRun();
try {
  const env = { ...process.env, ...server.env };
  const run = spawnSync(process.execPath, ['consumer.mjs'], { stdio: 'inherit', env });
  const cjs = spawnSync(process.execPath, ['consumer.cjs'], { stdio: 'inherit', env });
  const docs = ['out/tour.js', 'out/di.js'].map((file) => spawnSync(process.execPath, [file], { stdio: ['ignore', 'ignore', 'inherit'], env }).status);
  if (docs.some((s) => s !== 0)) console.error('pack-check: the README tour or the DI example failed: exit codes ' + docs.join(', '));
  else console.log('pack-check: the README tour and the DI example run');
  // The installed bin, as npx or a shell would run it: its link, shebang and executable bit.
  const cli = (...args) => spawnSync('./node_modules/.bin/good-redis', args, { stdio: 'inherit', env }).status;
  const name = 'pack-check-cli-' + String(Date.now());
  const statuses = [cli('--version'), cli('add', name, 'k', 'v'), cli('inspect', name), cli('delete', name, '--yes')];
  if (statuses.some((s) => s !== 0)) console.error('pack-check: the good-redis bin failed: exit codes ' + statuses.join(', '));
  else console.log('pack-check: the good-redis bin works from a fresh project');
  if (cjs.status !== 0) console.error('pack-check: the CommonJS consumer failed: exit code ' + String(cjs.status));
  process.exitCode = run.status === 0 && cjs.status === 0 && statuses.every((s) => s === 0) && docs.every((s) => s === 0) ? 0 : 1;
} finally {
  await server.stop();
}
"
