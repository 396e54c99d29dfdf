#!/usr/bin/env bash
# Create .venv and install the pinned dependencies (idempotent: a stamp keyed by the lock file's hash).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON_BIN=${PYTHON:-python3.11}
command -v "$PYTHON_BIN" >/dev/null 2>&1 || PYTHON_BIN=python3

if ! "$PYTHON_BIN" -m uv --version >/dev/null 2>&1; then
  echo "bootstrap: installing uv" >&2
  "$PYTHON_BIN" -m pip install -q uv
fi
UV=("$PYTHON_BIN" -m uv)

if [ ! -x .venv/bin/python ]; then
  "${UV[@]}" venv -q --seed .venv --python "$PYTHON_BIN"
fi

# torch is pinned to the CPU build; uv ignores pip's config, so hand it the same find-links.
FIND_LINKS=${PIP_FIND_LINKS:-/opt/wheels}
stamp=".venv/.deps-$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "bootstrap: installing dependencies into .venv" >&2
  args=(--python .venv/bin/python -q --compile-bytecode)
  [ -d "$FIND_LINKS" ] && args+=(--find-links "$FIND_LINKS")
  "${UV[@]}" pip install "${args[@]}" -r requirements.lock
  "${UV[@]}" pip install "${args[@]}" --no-deps -e .
  rm -f .venv/.deps-*
  touch "$stamp"
fi
