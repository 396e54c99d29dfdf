#!/usr/bin/env bash
# Test-only JavaScript tools from the npm registry into data/node (git-ignored): axe-core for the accessibility
# scan of the browser tests. Idempotent; pinned.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.11.0
dest=data/node
if [ -f "$dest/node_modules/axe-core/axe.min.js" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$dest/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "test-tools: npm is missing (apt-get install -y npm); the accessibility tests will fail" >&2
  exit 0
fi
mkdir -p "$dest"
npm install --silent --no-audit --no-fund --no-save --prefix "$dest" "axe-core@$AXE_VERSION" >/dev/null
