"""``payinvest bench web``: a bounded load test of the web app over real HTTP with SSE.

``conversations`` analysts ask questions concurrently for ``seconds`` (each turn a new conversation, its
proposals submitted), two supervisors approve what reaches the queue and a compliance officer reads and
verifies the audit log meanwhile. The server (bench.web_server: the real app, AgentService and payments API,
the zero-latency scripted model) runs on 127.0.0.1 in a child process that stops by itself. Afterwards the
audit chain is verified and its event counts compared with what the clients saw succeed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from core.processes import free_port, serve_process
from core.settings import Settings

PASSWORD = "payinvest-demo"  # the demo users the bench server creates (core.users.DEMO_PASSWORD)
ANALYSTS = ("analyst1", "analyst2")
SUPERVISORS = ("supervisor1", "supervisor2")
DRAIN_S = 60.0  # in-flight turns may finish this long after the end
TIMEOUT_S = 120.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else 0.0


class Tally:
    """What the clients saw: latencies per route, errors, and the successes the audit log must count."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.expected: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.load_s = 0.0  # from the first question to the last answer (logins before it)

    def timed(self, route: str, started: float) -> None:
        self.ms[route].append((time.perf_counter() - started) * 1000)

    def error(self, where: str, detail: Any) -> None:
        self.errors[f"{where}: {str(detail)[:120]}"] += 1


async def _login(client: Any, username: str, tally: Tally) -> None:
    started = time.perf_counter()
    r = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    tally.timed("POST /api/auth/login", started)
    if r.status_code != 200:
        raise RuntimeError(f"login {username}: {r.status_code} {r.text[:200]}")
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]


async def _turn(client: Any, question: str, tally: Tally) -> None:
    started = time.perf_counter()
    r = await client.post("/api/conversations", json={"title": "bench"})
    tally.timed("POST /api/conversations", started)
    if r.status_code != 201:
        return tally.error("create", r.status_code)
    tally.expected["conversation_created"] += 1
    conv = r.json()["conversation"]["id"]
    started, first, turn = time.perf_counter(), None, None
    async with client.stream("POST", f"/api/conversations/{conv}/messages", json={"message": question}) as r:
        if r.status_code != 200:
            return tally.error("message", r.status_code)
        tally.expected["agent.user_message"] += 1
        event = ""
        async for line in r.aiter_lines():
            first = first or time.perf_counter()
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "error":
                tally.error("turn", line[6:])
            elif line.startswith("data: ") and event == "turn":
                turn = json.loads(line[6:])
    if first is not None:
        tally.ms["turn: first event (scripted model)"].append((first - started) * 1000)
    tally.timed("turn: whole (scripted model)", started)
    if turn is None:
        return tally.error("turn", "no turn event")
    if any(p["status"] == "proposed" for p in turn.get("proposals") or []):
        started = time.perf_counter()
        r = await client.post(f"/api/conversations/{conv}/submit")
        tally.timed("POST /api/conversations/{id}/submit", started)
        if r.status_code == 200:
            tally.expected["agent.submission"] += 1
        else:
            tally.error("submit", r.status_code)
    started = time.perf_counter()
    r = await client.get(f"/api/conversations/{conv}")
    tally.timed("GET /api/conversations/{id}", started)
    if r.status_code != 200 or not r.json()["thread"]["turns"]:
        tally.error("reconnect", r.status_code)


async def _analyst(client: Any, index: int, questions: list[str], deadline: float, tally: Tally) -> None:
    import httpx

    n = index
    while time.monotonic() < deadline:
        try:
            await _turn(client, questions[n % len(questions)], tally)
        except httpx.HTTPError as exc:
            tally.error("analyst", type(exc).__name__)
        n += len(ANALYSTS) * 7 + 1  # spread the analysts over the catalogue


def _actionable(item: dict[str, Any], role: str, tried: set[str]) -> bool:
    """Compliance signs off what needs it; supervisors approve what is signed off or needs no sign-off."""
    if item["id"] in tried:  # refused once (limit, four-eyes): left for another approver
        return False
    needs = bool(item.get("compliance_signoff_required")) and not item.get("compliance_signoff_by")
    return needs if role == "compliance" else not needs


async def _review(client: Any, role: str, tried: set[str], tally: Tally) -> int:
    """One look at the queue: decide up to three proposals this role can act on; how many it could."""
    started = time.perf_counter()
    r = await client.get("/api/approvals")
    tally.timed("GET /api/approvals", started)
    if r.status_code != 200:
        tally.error("queue", r.status_code)
        return 0
    mine = [item for item in r.json()["approvals"] if _actionable(item, role, tried)]
    for item in mine[:3]:
        started = time.perf_counter()
        decision = {"proposal_id": item["id"], "action": "approve"}
        r = await client.post(f"/api/approvals/{item['thread_id']}/decide", json={"decisions": [decision]})
        tally.timed("POST /api/approvals/{thread}/decide", started)
        if r.status_code == 200:
            tally.expected["agent.decision"] += 1
            tally.expected["agent.execution"] += len(r.json()["result"].get("executions") or [])
        elif 400 <= r.status_code < 500:  # four-eyes, limit, the other approver won
            tried.add(item["id"])
            tally.refused[r.json()["error"]["code"]] += 1
            tally.expected["agent.decision_refused"] += 1
        else:
            tally.error("decide", r.status_code)
    return len(mine)


async def _approver(client: Any, role: str, stop: asyncio.Event, tally: Tally) -> None:
    tried: set[str] = set()
    while not stop.is_set():
        if not await _review(client, role, tried, tally):
            await asyncio.sleep(0.2)
    await _review(client, role, tried, tally)  # what the last turns submitted


async def _compliance(client: Any, stop: asyncio.Event, tally: Tally) -> None:
    while not stop.is_set():
        for route in ("/api/compliance/search?user=analyst1", "/api/conversations", "/api/compliance/verify"):
            started = time.perf_counter()
            r = await client.get(route)
            tally.timed(f"GET {route.split('?')[0]}", started)
            if r.status_code != 200:
                tally.error(route, r.status_code)
            elif route.endswith("verify") and not r.json()["ok"]:
                tally.error(route, r.json().get("reason"))
        await asyncio.sleep(0.5)


async def _warm_up(base: str, question: str) -> Counter[str]:
    """One turn before the clock starts (imports, caches); what it wrote to the audit log."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S) as client:
        scratch = Tally()
        await _login(client, "analyst1", scratch)
        await _turn(client, question, scratch)
        if scratch.errors:
            raise RuntimeError(f"the warm-up turn failed: {dict(scratch.errors)}")
        return scratch.expected


async def _load(base: str, conversations: int, seconds: float, questions: list[str]) -> Tally:
    import httpx

    tally = Tally()
    names = [ANALYSTS[i % len(ANALYSTS)] for i in range(conversations)] + [
        *SUPERVISORS,
        "compliance1",
        "compliance1",
    ]
    clients = [httpx.AsyncClient(base_url=base, timeout=TIMEOUT_S) for _ in names]
    try:
        for client, name in zip(clients, names, strict=True):  # logins first, one at a time (argon2 is slow
            await _login(client, name, tally)  # on purpose): the load is the turns, not a login storm
        stop = asyncio.Event()
        deadline, started = time.monotonic() + seconds, time.perf_counter()
        analysts, others = clients[:conversations], clients[conversations:]
        readers = [
            asyncio.create_task(_approver(others[0], "supervisor", stop, tally)),
            asyncio.create_task(_approver(others[1], "supervisor", stop, tally)),
            asyncio.create_task(_approver(others[2], "compliance", stop, tally)),
            asyncio.create_task(_compliance(others[3], stop, tally)),
        ]
        try:
            work = [_analyst(c, i, questions, deadline, tally) for i, c in enumerate(analysts)]
            await asyncio.wait_for(asyncio.gather(*work), seconds + DRAIN_S)
            tally.load_s = time.perf_counter() - started
        finally:
            stop.set()
            for failed in await asyncio.gather(*readers, return_exceptions=True):
                if isinstance(failed, BaseException):
                    tally.error("reader", repr(failed))
    finally:
        for client in clients:
            await client.aclose()
    return tally


def _audit_counts(data_dir: Path, kinds: list[str]) -> tuple[dict[str, Any], dict[str, int]]:
    from sqlalchemy import func, select

    from core.audit import AuditLog, audit_events
    from core.schema import open_app_db

    engine = open_app_db(Settings(data_dir=data_dir).app_db_url)
    verified = AuditLog(engine).verify().to_dict()
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_events.c.event_type, func.count())
            .where(audit_events.c.event_type.in_(kinds))
            .group_by(audit_events.c.event_type)
        ).all()
    engine.dispose()
    return verified, {kind: 0 for kind in kinds} | {str(k): int(n) for k, n in rows}


def run(settings: Settings, *, conversations: int = 50, seconds: float = 60.0) -> dict[str, Any]:
    """Run the load test; the result says whether there were 0 errors and the audit log matches."""
    from sandbox.scenarios import load_scenarios

    if conversations < 1 or seconds <= 0:
        raise ValueError("conversations must be >= 1 and seconds > 0")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    questions = [s.analyst_message for s in load_scenarios()]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="payinvest-bench-web-") as tmp:
        data_dir = Path(tmp) / "data"
        lifetime = seconds + DRAIN_S + 120
        cmd = [sys.executable, "-m", "bench.web_server", str(port), str(data_dir), str(lifetime)]
        env = os.environ | {
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PAYINVEST_LOG_LEVEL": "WARNING",
        }
        with serve_process(cmd, f"{base}/api/health/live", Path(tmp) / "server.log", timeout=120, env=env):
            warm = asyncio.run(_warm_up(base, questions[0]))  # not part of the figures
            tally = asyncio.run(_load(base, conversations, seconds, questions))
            tally.expected.update(warm)
            elapsed = tally.load_s
            load_during = os.getloadavg()
        verified, counted = _audit_counts(data_dir, sorted(tally.expected))
    mismatched = {
        k: {"clients": tally.expected[k], "audit": counted[k]}
        for k in counted
        if counted[k] != tally.expected[k]
    }
    turns = tally.expected["agent.user_message"] - warm["agent.user_message"]  # the warm-up is not load
    routes = {
        route: {"count": len(ms), "p50_ms": _pct(ms, 0.5), "p99_ms": _pct(ms, 0.99)}
        for route, ms in sorted(tally.ms.items())
    }
    errors = sum(tally.errors.values())
    return {
        "benchmark": "web",
        "conversations": conversations,
        "seconds": seconds,
        "elapsed_s": round(elapsed, 1),
        "load_average_1m": {"before": round(load_before[0], 2), "end": round(load_during[0], 2)},
        "cpus": os.cpu_count(),
        "turns": turns,
        "turns_per_s": round(turns / elapsed, 2) if elapsed else 0.0,
        "errors": errors,
        "error_kinds": dict(tally.errors.most_common(10)),
        "refused_decisions": dict(tally.refused),
        "audit": {
            "chain_ok": bool(verified["ok"]),
            "events_checked": verified.get("checked"),
            "counts": counted,
            "counts_match": not mismatched,
            "mismatched": mismatched,
        },
        "routes": routes,
        "ok": errors == 0 and bool(verified["ok"]) and not mismatched,
    }
