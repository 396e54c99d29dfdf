#!/usr/bin/env bash
# Install the system packages the tests need (Debian): Chromium for the browser tests, PostgreSQL for the
# scale-out tests, Node's npm for the accessibility scan's axe-core. Idempotent; does nothing for what is already installed.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || need+=(postgresql)
command -v npm >/dev/null 2>&1 || need+=(nodejs)  # npm installs axe-core for the accessibility scan
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "system-deps: need ${need[*]} but not root and no sudo; those tests will fail" >&2; exit 0; fi
fi
echo "system-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
