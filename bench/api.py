"""``payinvest bench api``: payments API lookup latency and throughput vs a bare FastAPI endpoint, over loopback.

Both servers run with uvicorn in child processes on 127.0.0.1 (free ports) and exit by themselves after
``SERVER_LIFETIME_S`` even if this process dies. Latency is measured one request at a time; throughput with
``CONCURRENCY`` concurrent requests; the series alternate between the two servers for ``ROUNDS`` rounds. Budgets: p99 <= 10 ms and throughput >= 0.5 x the bare endpoint.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.processes import free_port, serve_process

if TYPE_CHECKING:
    from core.settings import Settings

CONCURRENCY = 8
WARMUP = 200
ROUNDS = 2
SERVER_LIFETIME_S = 1800
P99_BUDGET_MS = 10.0
RATIO_BUDGET = 0.5
SAMPLE_REFERENCES = 5000


def bench_db_path(settings: Settings, payments: int) -> Path:
    """Where the benchmark database of ``payments`` payments lives (under the data directory)."""
    folder = settings.resolved_data_dir / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"payments-{payments}.db"


def ensure_db(settings: Settings, payments: int) -> tuple[str, dict[str, Any]]:
    """Seed the benchmark database through the generator unless it already holds this size and seed."""
    from sandbox.generator import read_seed_info, seed_database
    from sandbox.schema import get_payments_engine

    url = f"sqlite:///{bench_db_path(settings, payments)}"
    engine = get_payments_engine(url)
    info = read_seed_info(engine)
    if info and info.get("payments") == payments and info.get("seed") == settings.seed:
        return url, {"seeded_now": False, "seed_seconds": info.get("elapsed_seconds")}
    report = seed_database(engine, payments=payments, seed=settings.seed, force=True)
    return url, {"seeded_now": True, "seed_seconds": report.elapsed_seconds}


def sample_references(url: str, count: int, seed: int) -> list[str]:
    """A reproducible mix of PAY- ids, UETRs and EndToEndIds of existing payments."""
    from sqlalchemy import text

    from sandbox.schema import get_payments_engine

    engine = get_payments_engine(url)
    rng = random.Random(seed)
    with engine.connect() as conn:
        top = int(conn.execute(text("SELECT max(rowid) FROM payments")).scalar() or 0)
        rowids = sorted({rng.randint(1, top) for _ in range(count)}) if top else []
        rows: list[Any] = []
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            query = text(
                f"SELECT id, uetr, end_to_end_id FROM payments WHERE rowid IN ({','.join(map(str, chunk))})"
            )
            rows.extend(conn.execute(query).all())
    refs = [row[i % 3] for i, row in enumerate(rows)]
    rng.shuffle(refs)
    return refs


# The payments API authenticates every caller: the bench's servers and client share a token made per run.
BENCH_TOKEN = os.environ.get("PAYINVEST_BENCH_TOKEN") or secrets.token_urlsafe(24)
os.environ["PAYINVEST_BENCH_TOKEN"] = BENCH_TOKEN  # the server child inherits it


@contextmanager
def _server(kind: str, url: str) -> Iterator[str]:
    port = free_port()
    env = os.environ | {
        "PAYINVEST_BENCH_DB": url,
        "HF_HUB_OFFLINE": "1",
        "PAYINVEST_PAYMENTS_API_TOKEN": BENCH_TOKEN,
    }
    cmd = [sys.executable, "-m", "bench.api", kind, str(port)]
    base = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryDirectory(prefix="payinvest-bench-") as tmp,
        serve_process(cmd, f"{base}/healthz", Path(tmp) / f"{kind}.log", timeout=60, env=env),
    ):
        yield base


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class _Conn:
    """A minimal keep-alive HTTP/1.1 GET client over asyncio streams, so the client costs little CPU."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        # Both servers get the bearer header the payments API requires (the bare one ignores it).
        self.writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {BENCH_TOKEN}\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


def _host_port(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


async def _latency(base: str, refs: list[str], requests: int) -> list[float]:
    conn = _Conn(*_host_port(base))
    latencies = []
    try:
        for i in range(requests):
            start = time.perf_counter()
            status = await conn.get(f"/v1/payments/{refs[i % len(refs)]}")
            latencies.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise RuntimeError(f"lookup answered {status}")
    finally:
        await conn.close()
    return latencies


async def _throughput(base: str, refs: list[str], requests: int) -> tuple[float, int]:
    queue = iter(range(requests))
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = _Conn(*_host_port(base))
        try:
            for i in queue:
                errors += await conn.get(f"/v1/payments/{refs[i % len(refs)]}") != 200
        finally:
            await conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return requests / (time.perf_counter() - start), errors


async def _compare(bases: dict[str, str], refs: list[str], requests: int) -> dict[str, dict[str, float]]:
    """Alternate the series between the servers (ROUNDS times) so machine load drifts hit both alike."""
    lat: dict[str, list[float]] = {k: [] for k in bases}
    rps: dict[str, list[float]] = {k: [] for k in bases}
    errs = dict.fromkeys(bases, 0)
    for base in bases.values():
        await _latency(base, refs, WARMUP)
    for _ in range(ROUNDS):
        for name, base in bases.items():
            lat[name] += await _latency(base, refs, requests)
        for name, base in bases.items():
            value, errors = await _throughput(base, refs, requests)
            rps[name].append(value)
            errs[name] += errors
    return {
        name: {
            "p50_ms": round(statistics.median(lat[name]), 3),
            "p99_ms": round(_percentile(lat[name], 0.99), 3),
            "mean_ms": round(statistics.fmean(lat[name]), 3),
            "throughput_rps": round(statistics.median(rps[name]), 1),
            "errors": errs[name],
        }
        for name in bases
    }


def run(settings: Settings, *, payments: int, requests: int) -> dict[str, Any]:
    """Benchmark lookup by reference on the sandbox API against a bare FastAPI endpoint in the same run."""
    if payments < 1 or requests < 10:
        raise ValueError("payments must be >= 1 and requests >= 10")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the readiness probes would log at INFO
    url, seeding = ensure_db(settings, payments)
    refs = sample_references(url, min(SAMPLE_REFERENCES, requests), settings.seed)
    with _server("bare", url) as bare_base, _server("sandbox", url) as sandbox_base:
        results = asyncio.run(_compare({"bare": bare_base, "sandbox": sandbox_base}, refs, requests))
    bare, sandbox = results["bare"], results["sandbox"]
    ratio = round(sandbox["throughput_rps"] / bare["throughput_rps"], 3) if bare["throughput_rps"] else 0.0
    return {
        "benchmark": "api",
        "payments": payments,
        "requests": requests,
        "concurrency": CONCURRENCY,
        "rounds": ROUNDS,
        "seeding": seeding,
        "sandbox": sandbox,
        "bare": bare,
        "throughput_ratio_vs_bare": ratio,
        "p99_ratio_vs_bare": round(sandbox["p99_ms"] / bare["p99_ms"], 3) if bare["p99_ms"] else None,
        "budget": {"p99_ms": P99_BUDGET_MS, "throughput_ratio": RATIO_BUDGET},
        "within_budget": sandbox["p99_ms"] <= P99_BUDGET_MS
        and ratio >= RATIO_BUDGET
        and sandbox["errors"] == 0,
    }


def _bare_app() -> Any:
    from fastapi import FastAPI

    app = FastAPI()
    body = {
        "id": "PAY-00000001",
        "status": "ACCC",
        "instructed_amount": "1500.00",
        "instructed_currency": "EUR",
    }

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/payments/{reference}")
    async def payment(reference: str) -> dict[str, str]:
        return body

    return app


def _serve(kind: str, port: int) -> None:
    import threading

    import uvicorn

    # The child exits by itself even when the parent never stops it.
    threading.Timer(SERVER_LIFETIME_S, lambda: os._exit(0)).start()
    if kind == "bare":
        app = _bare_app()
    else:
        from core.settings import Settings
        from sandbox.api import create_app
        from sandbox.schema import get_payments_engine

        app = create_app(Settings(), engine=get_payments_engine(os.environ["PAYINVEST_BENCH_DB"]))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]))
