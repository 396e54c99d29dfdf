"""Alembic environment of the application database (see core.migrate)."""

from core.migrate import run_env

run_env()
