#!/usr/bin/env bash
# Makes sure redis-server (which also runs the sentinels, with --sentinel) and redis-cli
# (which makes the test cluster) are available for the tests, the demo and the benchmarks, and
# openssl (which makes the TLS topologies' certificates) for the tests.
# Nothing to do when both are on the PATH, or when REDIS_URL points at a server and the run
# needs no other topology (GOOD_REDIS_TOPOLOGIES=standalone, or no --topologies).
# Otherwise installs Debian's redis-server (it brings redis-tools, so redis-cli) with apt-get
# when running as root, or says how to.
#
#   scripts/ensure-redis.sh           for the demo, the examples, the benchmarks
#   scripts/ensure-redis.sh --topologies   for npm test and npm run topology (cluster and sentinel too)
set -euo pipefail

standalone_only=1
if [ "${1:-}" = "--topologies" ] && [ "${GOOD_REDIS_TOPOLOGIES:-}" != "standalone" ]; then
  standalone_only=0
fi
# The TLS topologies (all topologies by default, or any named tls*) make their certificates with openssl.
need_openssl=0
if [ "${1:-}" = "--topologies" ] && { [ -z "${GOOD_REDIS_TOPOLOGIES:-}" ] || [[ "${GOOD_REDIS_TOPOLOGIES}" == *tls* ]]; }; then
  need_openssl=1
fi

have_all() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && { [ "${need_openssl}" = 0 ] || command -v openssl >/dev/null 2>&1; }
}
if have_all || { [ -n "${REDIS_URL:-}" ] && [ "${standalone_only}" = 1 ]; }; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-redis: redis-server, redis-cli or openssl not found; installing Debian's redis-server and openssl with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends redis-server openssl >&2
  # The Debian package may start a system service on 6379; nothing here uses it.
  have_all && exit 0
fi

cat >&2 <<'MSG'
ensure-redis: redis-server, redis-cli (and, for the TLS topologies of the tests, openssl) are not all
installed, and they cannot be installed from here. Install them, then run the command again:
  sudo apt-get update && sudo apt-get install -y redis-server openssl    (Debian, Ubuntu)
  brew install redis openssl                                             (macOS)
Or point the run at existing servers: REDIS_URL=redis://host:6379 GOOD_REDIS_TOPOLOGIES=standalone npm test
(or REDIS_CLUSTER_NODES=host:port,... and REDIS_SENTINELS=host:port,... REDIS_SENTINEL_MASTER=name)
MSG
exit 1
