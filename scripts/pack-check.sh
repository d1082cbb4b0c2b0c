#!/usr/bin/env bash
# Packs good-redis as npm would publish it, installs the tarball into a fresh project in a
# temporary folder, and runs scripts/pack-check/consumer.mjs against a throwaway redis-server
# (or REDIS_URL), then its good-redis bin: proof that the published files (dist/, the Lua
# scripts, the bin) are complete.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm run build >/dev/null
tarball=$(npm pack --silent --pack-destination "$work" | tail -1)
cd "$work"
printf '{ "name": "pack-check", "private": true, "type": "module" }\n' > package.json
npm install --silent --no-audit --no-fund "./$tarball" >/dev/null
cp "$OLDPWD/scripts/pack-check/consumer.mjs" .
node --input-type=module -e "
import { spawnSync } from 'node:child_process';
const { redisForRun } = await import('$OLDPWD/build/scripts/topologies.js');
const server = await redisForRun();
try {
  const env = { ...process.env, ...server.env };
  const run = spawnSync(process.execPath, ['consumer.mjs'], { stdio: 'inherit', env });
  // The installed bin, as npx or a shell would run it: its link, shebang and executable bit.
  const cli = (...args) => spawnSync('./node_modules/.bin/good-redis', args, { stdio: 'inherit', env }).status;
  const name = 'pack-check-cli-' + String(Date.now());
  const statuses = [cli('--version'), cli('add', name, 'k', 'v'), cli('inspect', name), cli('delete', name, '--yes')];
  if (statuses.some((s) => s !== 0)) console.error('pack-check: the good-redis bin failed: exit codes ' + statuses.join(', '));
  else console.log('pack-check: the good-redis bin works from a fresh project');
  process.exitCode = run.status === 0 && statuses.every((s) => s === 0) ? 0 : 1;
} finally {
  await server.stop();
}
"
