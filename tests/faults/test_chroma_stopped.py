"""Chroma's server stopped (retrieval in server mode) while the app runs: a turn still answers from the tool
evidence and says that the procedures could not be searched, no 500; once the server is back on the same port
and store, the same conversation gets procedure sections again."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest

from agent.service import AgentService
from app.server import create_app
from core.settings import Settings
from retrieval.index import build_index
from retrieval.search import open_retriever
from tests.agent.fakes import FakeClassifier, FakePaymentPort, ScriptedChatModel, default_script, payment
from tests.app.fakes import fast_hasher
from tests.app.real_agent import UETR_STUCK
from tests.faults.app_server import serve_app, sse_events
from tests.scaleout.embedder import ProjectionEmbedder
from tests.servers import chroma_server, free_port
from tests.servers import logged_in_client as client

pytestmark = [pytest.mark.chroma_server, pytest.mark.slow]
QUESTION = f"Customer says {UETR_STUCK} never arrived"


def _app(settings: Settings, tmp_path: Path) -> tuple[Any, FakePaymentPort]:
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    port = FakePaymentPort(tmp_path / "actions.db", [payment("PAY-00000001", UETR_STUCK)])
    retriever = open_retriever(settings, embedder=ProjectionEmbedder())
    model = ScriptedChatModel(
        script=default_script(answer="The payment is at BNPAFRPPXXX with ACSP/G002 [E2].")
    )
    app.state.agent_service = AgentService(
        settings,
        chat_model=model,
        systems=port,
        retriever=retriever,
        audit=app.state.audit,
        classifier=FakeClassifier(),
    )
    app.state.retriever, app.state.case_reader = retriever, port.read
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    return app, port


def _turn(analyst: Any, conv: str) -> tuple[list[tuple[str, Any]], dict[str, Any], float]:
    started = time.monotonic()
    r = analyst.post(f"/api/conversations/{conv}/messages", json={"message": QUESTION})
    assert r.status_code == 200, r.text
    events = sse_events(r.text)
    assert [t for t, _ in events][-2:] == ["turn", "done"], events
    return events, events[-2][1], time.monotonic() - started


def _hits(events: list[tuple[str, Any]]) -> list[str]:
    return [h["citation"] for t, d in events if t == "retrieval" for h in d["hits"]]


def test_chroma_stopped_the_turn_answers_from_the_tools(tmp_path: Path) -> None:
    port, store = free_port(), tmp_path / "chroma-store"
    settings = Settings(data_dir=tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}")
    chroma = contextlib.ExitStack()
    chroma.enter_context(chroma_server(store, tmp_path / "chroma-1.log", port))
    try:
        build_index(settings, embedder=ProjectionEmbedder())
        app, _ = _app(settings, tmp_path)
        with serve_app(app) as base:
            analyst = client(base, "analyst1")
            conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
            events, _, _ = _turn(analyst, conv)
            assert _hits(events)  # procedures found while the server runs

            chroma.close()  # Chroma's server stops
            events, turn, elapsed = _turn(analyst, conv)
            print(f"\nturn without Chroma in {elapsed:.1f} s")
            assert "error" not in [t for t, _ in events]
            # The searches need Chroma; the case type's own SOP is listed from the local chunk store.
            assert _hits(events) and {c.split(" §")[0] for c in _hits(events)} == {"SOP-001"}
            note = "Could not search the procedures (SOPs): procedure search failed: the procedure index (Chroma) is not reachable."
            assert note in turn["answer"] and "G002" in turn["answer"], turn["answer"]
            assert turn["proposals"]  # the tools still decide the action
            assert analyst.get("/api/sop/SOP-002/3").status_code == 200  # the side panel reads local files

            chroma.enter_context(
                chroma_server(store, tmp_path / "chroma-2.log", port)
            )  # back on the same store
            events, turn, _ = _turn(analyst, conv)
            assert _hits(events) and "error" not in [t for t, _ in events]
        assert app.state.audit.verify().ok
    finally:
        chroma.close()
