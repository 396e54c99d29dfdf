"""The status the conversation list shows: the step that waits on someone first, then the latest outcome."""

from __future__ import annotations

import pytest

from app.routes.conversations import _status


@pytest.mark.parametrize(
    ("turns", "running", "proposals", "shown"),
    [
        (0, False, set(), "new"),
        (1, False, set(), "answered"),
        (1, False, {"proposed"}, "answered"),
        (1, True, {"submitted"}, "running"),
        (2, False, {"executed", "submitted"}, "awaiting approval"),
        (2, False, {"executed", "edited"}, "awaiting approval"),
        (2, False, {"executed", "execution_failed"}, "failed"),
        (1, False, {"approved", "executed"}, "approved"),
        (1, False, {"executed", "rejected"}, "executed"),
        (1, False, {"rejected"}, "rejected"),
    ],
)
def test_list_status(turns: int, running: bool, proposals: set[str], shown: str) -> None:
    assert _status(turns, running, proposals) == shown
