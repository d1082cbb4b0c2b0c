#!/usr/bin/env bash
# Makes sure a redis-server binary is available for the tests, the demo and the benchmarks.
# Nothing to do when REDIS_URL points at a server or redis-server is on the PATH. Otherwise
# installs Debian's redis-server with apt-get when running as root, or says how to.
set -euo pipefail

if [ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server not found; installing Debian's redis-server with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends redis-server >&2
  # The Debian package may start a system service on 6379; nothing here uses it.
  command -v redis-server >/dev/null 2>&1 && exit 0
fi

cat >&2 <<'MSG'
ensure-redis: redis-server is not installed, and it cannot be installed from here.
Install it, then run the command again:
  sudo apt-get update && sudo apt-get install -y redis-server    (Debian, Ubuntu)
  brew install redis                                             (macOS)
Or point the run at an existing server: REDIS_URL=redis://host:6379 npm test
MSG
exit 1
