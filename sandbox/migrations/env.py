"""Alembic environment of the payments sandbox database (see core.migrate)."""

from core.migrate import run_env

run_env()
