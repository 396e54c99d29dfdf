"""Secrets the project generates into the data directory when the environment does not set them."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

SECRETS_DIR = "secrets"


def secret_path(data_dir: Path, name: str) -> Path:
    """Where the generated secret ``name`` lives (``<data_dir>/secrets/<name>``)."""
    return data_dir / SECRETS_DIR / name


def load_or_create_secret(data_dir: Path, name: str, configured: str | None = None) -> str:
    """``configured`` when set, else the secret stored in the data dir, created (mode 0600) on first use.

    Several processes may race on the first start: ``O_EXCL`` lets exactly one write it, the others read it.
    """
    if configured:
        return configured
    path = secret_path(data_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.parent.chmod(0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
        raise RuntimeError(f"secret file {path} is empty: remove it to generate a new one") from None
    value = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
