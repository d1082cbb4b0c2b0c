#!/usr/bin/env bash
# Packs good-redis as npm would publish it, installs the tarball into a fresh project in a
# temporary folder, and runs scripts/pack-check/consumer.mjs against a throwaway redis-server
# (or REDIS_URL): proof that the published files (dist/, the Lua scripts) are complete.
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
  const run = spawnSync(process.execPath, ['consumer.mjs'], { stdio: 'inherit', env: { ...process.env, ...server.env } });
  process.exitCode = run.status ?? 1;
} finally {
  await server.stop();
}
"
