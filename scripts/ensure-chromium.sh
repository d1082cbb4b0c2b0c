#!/usr/bin/env bash
# Makes sure a Chromium is available for the dashboard's browser tests (driven by
# playwright-core, which downloads no browser of its own). Nothing to do when CHROMIUM_PATH names
# an executable, or `chromium` (or `chromium-browser`) is on the PATH. Otherwise installs
# Debian's chromium with apt-get when running as root, or says how to.
#
#   scripts/ensure-chromium.sh
set -euo pipefail

found() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then return 0; fi
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

if found; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: chromium not found; installing Debian's chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium >&2
  found && exit 0
fi

cat >&2 <<'MSG'
ensure-chromium: no Chromium found (the dashboard's browser tests drive one), and it cannot be installed from here.
Install it, then run the command again:
  sudo apt-get update && sudo apt-get install -y chromium      (Debian; chromium-browser on Ubuntu)
Or name one: CHROMIUM_PATH=/path/to/chromium npm test
MSG
exit 1
