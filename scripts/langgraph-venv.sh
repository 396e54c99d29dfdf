#!/usr/bin/env bash
# Build data/langgraph-venv: langgraph-cli[inmem] (`langgraph dev`, the server Studio talks to) next to the
# project. Its own environment because langgraph-api pins older structlog, protobuf, grpcio and jsonschema-rs
# than requirements.lock; those four are left to the resolver, and schemathesis (a test tool whose jsonschema-rs
# pin clashes with langgraph-api) is left out; every other pin is the project's.
# Idempotent (a stamp keyed by the lock file's hash). Usage: scripts/langgraph-venv.sh; prints the venv's bin.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON_BIN=${PYTHON:-python3.11}
command -v "$PYTHON_BIN" >/dev/null 2>&1 || PYTHON_BIN=python3
UV=("$PYTHON_BIN" -m uv)
VENV=data/langgraph-venv
CLASHING='^(structlog|protobuf|grpcio|jsonschema-rs|schemathesis)=='
FIND_LINKS=${PIP_FIND_LINKS:-/opt/wheels}

stamp="$VENV/.deps-$(cat requirements.lock pyproject.toml "$0" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  mkdir -p data
  [ -x "$VENV/bin/python" ] || "${UV[@]}" venv -q "$VENV" --python "$PYTHON_BIN"
  constraints=$(mktemp)
  trap 'rm -f "$constraints"' EXIT
  grep -vE "$CLASHING" requirements.lock >"$constraints"
  args=(--python "$VENV/bin/python" -q)
  [ -d "$FIND_LINKS" ] && args+=(--find-links "$FIND_LINKS")
  echo "langgraph-venv: installing langgraph-cli[inmem] and the project into $VENV" >&2
  "${UV[@]}" pip install "${args[@]}" -r "$constraints" "langgraph-cli[inmem]==0.4.40"
  "${UV[@]}" pip install "${args[@]}" --no-deps -e .
  rm -f "$VENV"/.deps-*
  touch "$stamp"
fi
echo "$PWD/$VENV/bin"
