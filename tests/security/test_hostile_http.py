"""Oversized bodies are refused early with a typed 413; normal requests pass."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.server import create_app
from core.settings import Settings


def test_oversized_bodies_get_413_before_parsing(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "data"), mount_sandbox=True, start_agent=False)
    with TestClient(app) as client:
        big = b'{"username": "' + b"a" * 5_000_000 + b'", "password": "x"}'
        for path in ("/api/auth/login", "/payments-api/v1/actions/recall"):
            r = client.post(path, content=big, headers={"content-type": "application/json"})
            assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"

        def chunks():  # no Content-Length: counted while streaming
            for _ in range(20):
                yield b"a" * 100_000

        r = client.post("/api/auth/login", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
        ok = client.post("/api/auth/login", json={"username": "nobody", "password": "wrong-password-1"})
        assert ok.status_code == 401
