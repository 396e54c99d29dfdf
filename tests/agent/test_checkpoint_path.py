"""The SQLite checkpoint file sits beside the app database, so the eval's lanes never share one."""

from __future__ import annotations

from pathlib import Path

from agent.checkpoint import checkpoint_path
from core.settings import Settings
from evals.environment import lane_settings


def test_the_default_checkpoint_file_is_in_the_data_directory(tmp_path: Path) -> None:
    assert checkpoint_path(Settings(data_dir=tmp_path)) == tmp_path / "checkpoints.db"


def test_each_eval_lane_has_its_own_checkpoint_file(tmp_path: Path) -> None:
    base = Settings(data_dir=tmp_path)
    paths = {checkpoint_path(base), *(checkpoint_path(lane_settings(base, n)) for n in (1, 2))}
    assert len(paths) == 3
    assert checkpoint_path(lane_settings(base, 1)) == tmp_path / "eval" / "lane-1" / "checkpoints.db"
