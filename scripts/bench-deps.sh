#!/usr/bin/env bash
# Installs what the benchmark compares against (BullMQ, pinned) into .bench/, outside the
# package's own dependencies: it is never published, and its optional native add-on has
# platform packages the npm registry here does not all serve, which would break `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
BULLMQ_VERSION=6.7.0
if [ -f .bench/node_modules/bullmq/package.json ] && grep -q "\"version\": \"${BULLMQ_VERSION}\"" .bench/node_modules/bullmq/package.json; then
  exit 0
fi
mkdir -p .bench
cat > .bench/package.json <<JSON
{ "name": "good-redis-bench-deps", "private": true, "allowScripts": { "msgpackr-extract": false } }
JSON
echo "bench-deps: installing bullmq@${BULLMQ_VERSION} into .bench/" >&2
npm install --prefix .bench --no-audit --no-fund --no-save "bullmq@${BULLMQ_VERSION}" >&2
