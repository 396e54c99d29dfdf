"""Production signals over the real AgentService (scripted model): /metrics after one turn and one approval,
one trace per turn, request ids, health for a load balancer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from agent.service import AgentService
from app.server import create_app
from core.controls import set_controls
from core.settings import Settings
from tests.agent.fakes import ScriptedChatModel, default_script
from tests.app.conftest import login
from tests.app.fakes import fast_hasher
from tests.app.real_agent import UETR_STUCK, build_real_service

ANSWER = "The payment is at BNPAFRPPXXX with ACSP/G002 [E2]; per [SOP-002 §3] send a claim."

# Every family the operations runbook promises (docs/operations.md), with the sample that must be non-zero.
FAMILIES = (
    "payinvest_http_request_duration_seconds_count",
    "payinvest_turn_duration_seconds_count",
    "payinvest_turn_time_to_findings_seconds_count",
    "payinvest_llm_calls_total",
    "payinvest_llm_tokens_total",
    "payinvest_llm_call_duration_seconds_count",
    "payinvest_tool_calls_total",
    "payinvest_tool_call_duration_seconds_count",
    "payinvest_retrieval_duration_seconds_count",
    "payinvest_proposals_created_total",
    "payinvest_proposals",
    "payinvest_decisions_total",
    "payinvest_decision_refusals_total",
    "payinvest_classifier_confidence_count",
    "payinvest_audit_append_duration_seconds_count",
    "payinvest_kill_switch_enabled",
    "payinvest_verifier_removed_sentences_total",
)


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((sample.labels, sample.value))
    return out


def total(found: dict[str, list[tuple[dict[str, str], float]]], name: str, **labels: str) -> float:
    return sum(v for ls, v in found.get(name, []) if all(ls.get(k) == x for k, x in labels.items()))


@pytest.fixture
def real_app(settings: Settings, tmp_path: Path) -> Iterator[tuple[Any, TestClient]]:
    # The answer has one sentence the findings do not support: the verifier removes it.
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    _service, port, retriever = build_real_service(settings, app.state.audit, tmp_path)
    answer = f"{ANSWER} The beneficiary confirmed on Monday that the funds were credited in full."
    model = ScriptedChatModel(script=default_script(answer=answer))
    service = AgentService(
        settings, chat_model=model, systems=port, retriever=retriever, audit=app.state.audit
    )
    app.state.agent_service, app.state.retriever = service, retriever
    app.state.case_reader = port.read
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    with TestClient(app) as client:
        yield app, client


def _turn(client: TestClient) -> tuple[str, dict[str, Any], httpx.Response]:
    analyst = login(client, "analyst1")
    conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
    r = analyst.post(
        f"/api/conversations/{conv}/messages",
        json={"message": f"Customer says {UETR_STUCK} never arrived"},
        headers={"X-Request-ID": "req-test-0001"},
    )
    blocks = [b for b in r.text.strip().split("\n\n") if b]
    turn = json.loads(next(ln for ln in blocks[-2].split("\n") if ln.startswith("data: "))[6:])
    return conv, turn, r


def test_metrics_after_one_turn_and_one_approval(real_app: tuple[Any, TestClient]) -> None:
    app, client = real_app
    assert client.get("/metrics").status_code == 401  # no session: no metrics on the app port
    conv, turn, _ = _turn(client)
    [proposal] = turn["proposals"]
    analyst = client
    assert analyst.get("/metrics").status_code == 403  # an analyst is not an admin
    assert analyst.post(f"/api/conversations/{conv}/submit").status_code == 200
    client.cookies.clear()
    sup1 = login(client, "supervisor1")
    decide = f"/api/approvals/{conv}/decide"
    edited = {**proposal["args"], "responder_bic": "DEUTDEFFXXX"}
    body = {"decisions": [{"proposal_id": proposal["id"], "action": "edit", "args": edited}]}
    assert sup1.post(decide, json=body).status_code == 200
    approve = {"decisions": [{"proposal_id": proposal["id"], "action": "approve"}]}
    assert sup1.post(decide, json=approve).json()["error"]["code"] == "four_eyes_violation"
    client.cookies.clear()
    assert login(client, "supervisor2").post(decide, json=approve).status_code == 200
    client.cookies.clear()
    admin = login(client, "admin1")
    set_controls(app.state.engine, actor="admin1", llm_enabled=False)

    response = admin.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    found = samples(response.text)
    zero = [name for name in FAMILIES if total(found, name) <= 0 and name != "payinvest_kill_switch_enabled"]
    assert zero == [], f"families with no count after a turn and an approval: {zero}"
    route = "/api/conversations/{conversation_id}/messages"
    assert total(found, "payinvest_http_request_duration_seconds_count", route=route, status="200") >= 1
    assert not any(
        "conv" in ls.get("route", "") and conv in ls.get("route", "") for ls, _ in found[FAMILIES[0]]
    )
    assert total(found, "payinvest_llm_calls_total", prompt="answer", outcome="ok") >= 1
    assert total(found, "payinvest_decisions_total", action="approve") >= 1
    assert total(found, "payinvest_decisions_total", action="edit") >= 1
    assert total(found, "payinvest_decision_refusals_total", code="four_eyes_violation") >= 1
    assert total(found, "payinvest_proposals", status="executed") == 1
    assert total(found, "payinvest_kill_switch_enabled", switch="llm") == 0
    assert total(found, "payinvest_kill_switch_enabled", switch="actions") == 1


def test_one_trace_per_turn_and_its_id_in_the_audit(
    real_app: tuple[Any, TestClient], exporter: InMemorySpanExporter
) -> None:
    app, client = real_app
    exporter.clear()
    conv, _turn_data, response = _turn(client)
    assert response.headers["x-request-id"] == "req-test-0001"
    spans = exporter.get_finished_spans()
    [http] = [s for s in spans if s.name == "POST /api/conversations/{conversation_id}/messages"]
    assert http.attributes["payinvest.request_id"] == "req-test-0001"  # FastAPI's server span, enriched
    trace_id = http.context.trace_id
    in_trace = [s for s in spans if s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    [run] = [s for s in in_trace if s.name == "agent run"]
    # The turn starts in the route's dependency (app.turns), so its span hangs under FastAPI's dependency span.
    by_id = {s.context.span_id: s for s in in_trace}
    ancestors, parent = [], run.parent
    while parent is not None and parent.span_id in by_id:
        ancestors.append(by_id[parent.span_id].name)
        parent = by_id[parent.span_id].parent
    assert http.name in ancestors, ancestors
    # Below it, the LangChain instrumentor's spans: the LangGraph run, every node, the LLM call in its node.
    [graph] = [s for s in in_trace if s.name == "LangGraph"]
    assert graph.parent is not None and graph.parent.span_id == run.context.span_id
    nodes = {
        s.name: s for s in in_trace if s.parent is not None and s.parent.span_id == graph.context.span_id
    }
    assert {"intake", "classify", "plan", "execute_reads", "answer"} <= set(nodes), sorted(nodes)
    assert "retrieval search" in names, names
    [llm] = [s for s in in_trace if s.name == "llm answer"]
    assert llm.parent is not None and llm.parent.span_id == nodes["answer"].context.span_id
    assert json.loads(str(llm.attributes["metadata"]))["payinvest.prompt_version"]
    [message] = app.state.audit.events(conversation_id=conv, event_type="agent.user_message")
    assert message.payload["trace_id"] == format(trace_id, "032x")


def test_request_id_is_kept_when_plain_and_replaced_when_not(real_app: tuple[Any, TestClient]) -> None:
    _app, client = real_app
    assert (
        client.get("/api/health/live", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"]
        == "abc-123"
    )
    replaced = client.get("/api/health/live", headers={"X-Request-ID": "bad id;<x>"}).headers["x-request-id"]
    assert replaced != "bad id" and len(replaced) == 32
    assert client.get("/nope").headers["x-request-id"]  # a 404 carries one too


def test_ready_reports_each_dependency_and_503_when_one_is_missing(settings: Settings) -> None:
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    with TestClient(app) as client:
        assert client.get("/api/health/live").json() == {"live": True}
        r = client.get("/api/health/ready")
        assert r.status_code == 503
        checks = r.json()["checks"]
        assert checks["app_database"]["ok"] and checks["migrations"]["databases"]["app"]["current"]
        assert not checks["payments"]["ok"] and "payinvest seed" in checks["payments"]["error"]
        assert not checks["sop_index"]["ok"] and "index build" in checks["sop_index"]["error"]
        assert not checks["llm"]["ok"]
        set_controls(app.state.engine, actor="admin1", llm_enabled=False)
        assert client.get("/api/health/ready").json()["checks"]["llm"] == {
            "ok": True,
            "state": "off",
            "detail": "switched off by an administrator",
            "ms": pytest.approx(0, abs=1000),
        }
    assert not (settings.resolved_data_dir / "payments.db").exists()  # the probe created no database


def test_metrics_bind_serves_without_login(settings: Settings) -> None:
    bound = settings.model_copy(update={"metrics_bind": "127.0.0.1:0"})
    app = create_app(bound, mount_sandbox=False, start_agent=False)
    with TestClient(app):
        server = app.state.metrics_listener
        r = httpx.get(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5)
        assert r.status_code == 200 and "payinvest_kill_switch_enabled" in r.text
    with pytest.raises(ValueError, match="HOST:PORT"):
        create_app(
            settings.model_copy(update={"metrics_bind": "9464"}), mount_sandbox=False, start_agent=False
        )


def test_ready_is_200_when_every_dependency_answers(real_app: tuple[Any, TestClient]) -> None:
    app, client = real_app
    from core.db import get_engine
    from core.migrate import upgrade
    from sandbox.schema import PAYMENTS_DATABASE

    upgrade(get_engine(app.state.settings.payments_db_url, foreign_keys=False), PAYMENTS_DATABASE)
    r = client.get("/api/health/ready")
    assert r.status_code == 200, r.json()
    checks = r.json()["checks"]
    assert checks["llm"]["state"] == "scripted" and checks["sop_index"]["source"] == "injected"
    assert set(checks["migrations"]["databases"]) == {"app", "payments"}


def test_json_logs_carry_request_user_thread_turn_and_trace(
    real_app: tuple[Any, TestClient], exporter: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    import logging

    from core.logging import configure_logging

    configure_logging("INFO", json_logs=True)
    try:
        _app, client = real_app
        capsys.readouterr()
        conv, turn, _ = _turn(client)
        logging.getLogger("uvicorn.error").info("a line from uvicorn")
        out = capsys.readouterr()
    finally:
        configure_logging("INFO")
    lines = [json.loads(line) for line in (out.out + out.err).splitlines() if line.startswith("{")]
    [access] = [
        e for e in lines if e.get("event") == "http_request" and e.get("request_id") == "req-test-0001"
    ]
    assert access["user"] == "analyst1" and access["thread_id"] == conv and access["status"] == 200
    assert access["route"] == "/api/conversations/{conversation_id}/messages"
    [done] = [e for e in lines if e.get("event") == "turn_completed"]
    assert (done["user"], done["thread_id"], done["turn"]) == ("analyst1", conv, turn["turn"])
    assert done["request_id"] == "req-test-0001" and len(done["trace_id"]) == 32
    [uvicorn_line] = [e for e in lines if e.get("event") == "a line from uvicorn"]
    assert uvicorn_line["logger"] == "uvicorn.error" and uvicorn_line["level"] == "info"


def test_a_turn_without_http_has_its_own_trace_id_in_the_audit(
    settings: Settings, tmp_path: Path, exporter: InMemorySpanExporter
) -> None:
    import asyncio

    from core.audit import AuditLog
    from core.schema import open_app_db

    audit = AuditLog(open_app_db(settings.app_db_url))
    service, _port, _retriever = build_real_service(settings, audit, tmp_path)
    exporter.clear()

    async def one_turn() -> Any:
        try:
            return await service.ask(f"Customer says {UETR_STUCK} never arrived", user="analyst1")
        finally:
            await service.aclose()

    result = asyncio.run(one_turn())
    [run] = [s for s in exporter.get_finished_spans() if s.name == "agent run"]
    assert run.parent is None  # the CLI and the evals have no HTTP span: the run is the trace's root
    [message] = audit.events(conversation_id=result.thread_id, event_type="agent.user_message")
    assert message.payload["trace_id"] == format(run.context.trace_id, "032x")


class _ModelsHandler(BaseHTTPRequestHandler):
    """An OpenAI-compatible server's GET /v1/models, with a bearer key (as the embedded llama.cpp server)."""

    def do_GET(self) -> None:
        ok = self.path == "/v1/models" and self.headers.get("Authorization") == "Bearer k-123"
        self.send_response(200 if ok else 401)
        self.end_headers()
        self.wfile.write(b'{"data": []}')

    def log_message(self, *_args: Any) -> None:
        pass


def test_ready_probes_the_loaded_model_with_its_key(settings: Settings) -> None:
    import threading

    from langchain_openai import ChatOpenAI

    server = ThreadingHTTPServer(("127.0.0.1", 0), _ModelsHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/v1"
    try:
        app = create_app(settings, mount_sandbox=False, start_agent=False)
        for key, expected in (("k-123", True), ("wrong", False)):
            model = ChatOpenAI(base_url=base, api_key=key, model="m")  # type: ignore[arg-type]
            app.state.agent_service = AgentService(settings, chat_model=model, systems=object())
            with TestClient(app) as client:
                llm = client.get("/api/health/ready").json()["checks"]["llm"]
            assert llm["ok"] is expected and llm["status"] == (200 if expected else 401), llm
    finally:
        server.shutdown()
