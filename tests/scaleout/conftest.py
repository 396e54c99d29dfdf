"""Scale-out fixtures: extra Postgres databases, a seeded payments database and app workers as subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PROJECT_ROOT
from tests.servers import chroma_server, free_port, serve_process

WORKER_START_TIMEOUT = 60.0


# One approval signing key for the workers and a remote payments API (docs/security.md: shared by the
# environment when the API is not in process).
SHARED_APPROVAL_KEY = "scaleout-test-approval-key-" + "0" * 16


@pytest.fixture
def payments_postgres_url(postgres_url: str) -> Iterator[str]:
    """A second fresh PostgreSQL database on the same server, for the payments sandbox."""
    from sqlalchemy import create_engine, text

    base = postgres_url.rsplit("/", 1)[0]
    name = f"payinvest_pay_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        "postgresql+psycopg://" + base.split("://", 1)[1] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def seeded_payments_url(payments_postgres_url: str) -> str:
    """The payments database seeded with every named scenario (no random payments: small and fast)."""
    from sandbox.generator import seed_database
    from sandbox.schema import get_payments_engine

    seed_database(get_payments_engine(payments_postgres_url), payments=0, seed=7)
    return payments_postgres_url


@pytest.fixture
def demo_users(postgres_url: str) -> str:
    """The demo users in the shared app database (cheap argon2 costs; workers verify any argon2 hash)."""
    from core.schema import open_app_db
    from core.users import UserStore
    from tests.app.fakes import fast_hasher

    store = UserStore(open_app_db(postgres_url))
    store.hasher = fast_hasher()
    store.ensure_demo_users()
    return postgres_url


class Worker:
    """One app worker process and its base URL."""

    def __init__(self, name: str, proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.name, self.proc, self.url, self.log = name, proc, url, log

    def stop(self) -> None:
        """Terminate the process (kill it if it does not stop within 10 s)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., list[Worker]]]:
    """Start ``tests.scaleout.worker`` processes on free loopback ports; every one is stopped at teardown."""
    workers: list[Worker] = []

    def spawn(name: str, env: dict[str, str], bm25_from: Path | None) -> Worker:
        port = free_port()
        if bm25_from is not None:  # each worker gets its own copy of the BM25 files of a built index
            shutil.copytree(bm25_from, tmp_path / name / "bm25")
        log = tmp_path / f"{name}.log"
        full_env = {**os.environ, **env, "SCALEOUT_WORKER_NAME": name, "PYTHONPATH": str(PROJECT_ROOT)}
        full_env.setdefault("PAYINVEST_DATA_DIR", str(tmp_path / name))  # no shared local files
        full_env.update({"HF_HUB_OFFLINE": "1", "RAGAS_DO_NOT_TRACK": "true", "SCALEOUT_WORKER_TTL": "150"})
        with log.open("wb") as sink:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.scaleout.worker", str(port)],
                cwd=PROJECT_ROOT,
                env=full_env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(name, proc, f"http://127.0.0.1:{port}", log)
        workers.append(worker)
        return worker

    def wait_ready(worker: Worker, deadline: float) -> None:
        while True:
            try:
                if httpx.get(f"{worker.url}/api/scaleout/whoami", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if worker.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"worker {worker.name} did not start:\n{worker.log.read_text(errors='replace')[-3000:]}"
                )
            time.sleep(0.2)

    def start(
        names: list[str], env: dict[str, str], *, together: bool = False, bm25_from: Path | None = None
    ) -> list[Worker]:
        """Start workers one after the other (a rolling start), or all at once with ``together``."""
        if not together:
            return [start([name], env, together=True, bm25_from=bm25_from)[0] for name in names]
        started = [spawn(name, env, bm25_from) for name in names]
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        for worker in started:
            wait_ready(worker, deadline)
        return started

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    """Chroma's HTTP server on a free loopback port, stopped after the test."""
    with chroma_server(tmp_path / "chroma-server", tmp_path / "chroma.log") as url:
        yield url


@pytest.fixture
def chroma_index(tmp_path: Path, chroma_url: str) -> tuple[str, Path]:
    """The project's SOP corpus indexed on the Chroma server (projection test embedder); returns the URL and the BM25 dir."""
    from core.settings import Settings
    from retrieval.index import build_index
    from tests.scaleout.embedder import ProjectionEmbedder

    builder = Settings(data_dir=tmp_path / "index-builder", chroma_url=chroma_url)
    build_index(builder, embedder=ProjectionEmbedder())
    return chroma_url, builder.resolved_data_dir / "bm25"


@pytest.fixture
def payments_api(tmp_path: Path, seeded_payments_url: str) -> Iterator[tuple[str, str]]:
    """``payinvest sandbox serve`` on a free port over the seeded Postgres database, with a bearer token."""
    port, token = free_port(), uuid.uuid4().hex
    env = {
        **os.environ,
        "PAYINVEST_PAYMENTS_DATABASE_URL": seeded_payments_url,
        "PAYINVEST_PAYMENTS_API_TOKEN": token,
        "PAYINVEST_APPROVAL_KEY": SHARED_APPROVAL_KEY,  # the workers sign, this API verifies
        "PAYINVEST_DATA_DIR": str(tmp_path / "payments-api"),
    }
    command = [str(Path(sys.executable).parent / "payinvest"), "sandbox", "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with serve_process(
        command,
        f"{url}/healthz",
        tmp_path / "payments-api.log",
        timeout=WORKER_START_TIMEOUT,
        env=env,
        cwd=PROJECT_ROOT,
    ):
        yield url, token
