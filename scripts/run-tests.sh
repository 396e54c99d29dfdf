#!/usr/bin/env bash
# Set up (venv, Chromium, PostgreSQL) and run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
./scripts/system-deps.sh || echo "run-tests: system packages could not be installed" >&2
./scripts/test-tools.sh || echo "run-tests: test tools (axe-core) could not be installed" >&2
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 RAGAS_DO_NOT_TRACK=true ANONYMIZED_TELEMETRY=False
unset PYTHONDONTWRITEBYTECODE  # recompiling the stack on every import costs tens of seconds per process
if [ -z "${PAYINVEST_TEST_POSTGRES_URL:-}" ]; then
  PAYINVEST_TEST_POSTGRES_URL=$(./scripts/postgres.sh || true)
  export PAYINVEST_TEST_POSTGRES_URL
fi
mkdir -p artifacts
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = "5" ]; then
  # No test collected: fine for a narrowed selection (-k/-m/path), a defect for the whole suite.
  if [ $# -gt 0 ]; then echo "run-tests: no test matched the selection" >&2; exit 0; fi
  echo "run-tests: pytest collected no tests" >&2; exit 1
fi
exit "$rc"
