"""Fixtures shared by every test area. Areas add their own in tests/<area>/conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# No test may reach a model hub or an analytics host.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["RAGAS_DO_NOT_TRACK"] = "true"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

from app.settings import Settings  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data directory is a fresh temporary folder."""
    return Settings(data_dir=tmp_path / "data")
