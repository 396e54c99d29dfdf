"""Health for a load balancer: ``/api/health/live`` (the process answers) and ``/api/health/ready`` (everything
a turn needs answers: both databases at their newest migration, the SOP index, the LLM or its switch off)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text

from app.schemas import LiveOut, ReadyOut
from core.controls import read_controls
from core.settings import Settings

router = APIRouter(prefix="/api/health", tags=["health"])
PROBE_TIMEOUT_S = 2.0
Check = dict[str, Any]


def _timed(check: Callable[[], Check]) -> Check:
    started = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a failing dependency is a "not ready" detail, never a 500
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _ping(engine: Engine) -> Check:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"ok": True}


def _payments_engine(app: FastAPI) -> Engine:
    """The payments database engine, opened once per app; refuses to create a missing SQLite file."""
    engine = getattr(app.state, "health_payments_engine", None)
    if engine is None:
        from sqlalchemy.engine import make_url

        from core.db import get_engine

        url = app.state.settings.payments_db_url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            raise FileNotFoundError(f"no payments database at {parsed.database}: run `payinvest seed`")
        engine = app.state.health_payments_engine = get_engine(url, foreign_keys=False)
    return engine


def _migrations(app: FastAPI, with_payments: bool) -> Check:
    from core.db_cli import declared_databases
    from core.migrate import current_revision, head_revision

    detail: dict[str, Any] = {}
    for db in declared_databases():
        if db.name != "app" and not with_payments:
            continue  # the payments API is another service with its own schema
        try:
            engine = app.state.engine if db.name == "app" else _payments_engine(app)
            detail[db.name] = {"current": current_revision(engine, db), "head": head_revision(db)}
        except Exception as exc:
            detail[db.name] = {"current": None, "head": head_revision(db), "error": str(exc)[:200]}
    ok = all(v["current"] == v["head"] for v in detail.values())
    return {"ok": ok, "databases": detail, **({} if ok else {"error": "run `payinvest db upgrade`"})}


def _payments(app: FastAPI) -> Check:
    settings: Settings = app.state.settings
    if settings.payments_api_url:
        url = settings.payments_api_url.rstrip("/") + "/healthz"
        response = httpx.get(url, timeout=PROBE_TIMEOUT_S)
        return {"ok": response.status_code == 200, "api": url, "status": response.status_code}
    return {**_ping(_payments_engine(app)), "database": "in process"}


def _index(app: FastAPI) -> Check:
    if app.state.retriever is not None:
        return {"ok": True, "source": "injected"}
    from retrieval.index import read_manifest

    manifest = read_manifest(app.state.settings)
    if manifest is None:
        return {"ok": False, "error": "no SOP index: run `payinvest index build`"}
    return {"ok": True, "chunks": manifest.get("chunks"), "corpus_hash": manifest.get("corpus_hash")}


def _llm(app: FastAPI) -> Check:
    settings: Settings = app.state.settings
    if not read_controls(app.state.engine).llm_enabled:
        return {"ok": True, "state": "off", "detail": "switched off by an administrator"}
    service = app.state.agent_service
    if service is None:
        return {"ok": False, "error": app.state.agent_error or "the agent service is not running"}
    target = getattr(service, "llm_base_url", lambda: None)()
    if target is None and settings.llm_provider == "openai" and settings.openai_base_url:
        target = (settings.openai_base_url, settings.openai_api_key)
    if target is None:
        provider = getattr(service, "llm_provider", lambda: settings.llm_provider)()
        if provider == "scripted":
            return {"ok": True, "state": "scripted"}
        return {"ok": False, "error": f"the {provider} model is not loaded"}
    base, key = target
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    response = httpx.get(base.rstrip("/") + "/models", headers=headers, timeout=PROBE_TIMEOUT_S)
    return {"ok": response.status_code == 200, "state": "reachable", "status": response.status_code}


def _release(app: FastAPI) -> Check:
    """Informational (never blocks readiness): the serving release and whether this worker's prompt versions
    are the ones its manifest was evaluated with."""
    from core.releases import ReleaseStore

    store = ReleaseStore(app.state.engine, audit=None)
    rid = store.serving_id()
    release = store.get(rid) if rid else None
    if release is None:
        return {"ok": True, "serving": None}
    config = getattr(app.state.agent_service, "config", None)
    ours = dict(getattr(config, "prompt_versions", {}) or {})
    theirs = release.manifest.get("prompt_versions") or {}
    match = all(ours.get(k) == v for k, v in theirs.items()) if ours else None
    return {"ok": True, "serving": rid, "prompt_versions_match": match}


def readiness(app: FastAPI) -> dict[str, Any]:
    """Every check with its detail and time; ``ready`` only when all pass."""
    settings: Settings = app.state.settings
    checks = {
        "app_database": _timed(lambda: _ping(app.state.engine)),
        "payments": _timed(lambda: _payments(app)),
        "migrations": _timed(lambda: _migrations(app, with_payments=not settings.payments_api_url)),
        "sop_index": _timed(lambda: _index(app)),
        "llm": _timed(lambda: _llm(app)),
        "release": _timed(lambda: _release(app)),
    }
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}


@router.get("/live", response_model=LiveOut)
def live() -> dict:
    """200 while the process serves requests (restart the process when this fails)."""
    return {"live": True}


@router.get("/ready", response_model=ReadyOut, responses={503: {"model": ReadyOut}})
def ready(request: Request) -> JSONResponse:
    """200 with the checks when every dependency answers, 503 with the same JSON when one does not."""
    report = readiness(request.app)
    return JSONResponse(report, status_code=200 if report["ready"] else 503)
