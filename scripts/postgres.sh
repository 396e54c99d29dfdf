#!/usr/bin/env bash
# Start the local PostgreSQL cluster on 127.0.0.1 and print a SQLAlchemy URL for a throwaway test database.
# Prints nothing (and exits 0) when PostgreSQL is not installed.
set -euo pipefail
command -v pg_lsclusters >/dev/null 2>&1 || exit 0
read -r ver name port status _ < <(pg_lsclusters --no-header | head -1) || exit 0
if [ "$status" != "online" ]; then pg_ctlcluster "$ver" "$name" start >/dev/null 2>&1 || true; fi
run_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
for _ in $(seq 1 20); do run_pg psql -p "$port" -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1 && break
  run_pg psql -p "$port" -c 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
run_pg psql -q -p "$port" -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='payinvest') THEN CREATE ROLE payinvest LOGIN SUPERUSER PASSWORD 'payinvest'; END IF; END\$\$;" >/dev/null
run_pg psql -q -p "$port" -tc "SELECT 1 FROM pg_database WHERE datname='payinvest_test'" | grep -q 1 \
  || run_pg createdb -p "$port" -O payinvest payinvest_test
echo "postgresql://payinvest:payinvest@127.0.0.1:${port}/payinvest_test"
