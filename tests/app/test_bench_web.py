"""``payinvest bench web`` in CI size: a few concurrent conversations for a few seconds over real HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.web import run
from core.settings import Settings


@pytest.mark.slow
def test_a_short_load_has_no_errors_and_an_intact_audit_chain(tmp_path: Path) -> None:
    result = run(Settings(data_dir=tmp_path / "data"), conversations=3, seconds=3)
    assert result["errors"] == 0, result["error_kinds"]
    assert result["turns"] >= 3
    audit = result["audit"]
    assert audit["chain_ok"] and audit["counts_match"], audit
    assert audit["counts"]["agent.user_message"] == result["turns"] + 1  # and the warm-up turn
    assert result["routes"]["GET /api/conversations/{id}"]["count"] >= 3
    assert result["ok"]
