"""One turn over HTTP is one trace: FastAPI's server span, the LangGraph run and every node it ran (the
OpenInference LangChain instrumentor), the payments API calls (OpenTelemetry's httpx transport) under the node
that made them, and the chat-model call under the answer node."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from agent.service import AgentService
from app.server import create_app
from core.settings import Settings
from sandbox.generator import seed_database
from sandbox.scenarios import get_scenario
from sandbox.schema import get_payments_engine
from tests.agent.conftest import sample_hits
from tests.agent.fakes import ListRetriever, ScriptedChatModel, default_script
from tests.app.conftest import login
from tests.app.fakes import fast_hasher
from tests.sandbox_api.factories import sandbox_systems

SCENARIO = "cnr-g002-intermediary"
KIND = "openinference.span.kind"


@pytest.fixture
def client(tmp_path: Path, exporter: InMemorySpanExporter) -> Iterator[TestClient]:
    payments = tmp_path / "payments.db"
    settings = Settings(data_dir=tmp_path / "app", payments_database_url=f"sqlite:///{payments}")
    seed_database(get_payments_engine(settings.payments_db_url), payments=0, seed=7)
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    systems = sandbox_systems(settings)
    model = ScriptedChatModel(script=default_script(case_type=get_scenario(SCENARIO).case_type.value))
    app.state.agent_service = AgentService(
        settings,
        chat_model=model,
        systems=systems,
        retriever=ListRetriever(sample_hits()),
        audit=app.state.audit,
    )
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    with TestClient(app) as test_client:
        yield test_client


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    out, parent = [], span.parent
    while parent is not None and parent.span_id in by_id:
        out.append(by_id[parent.span_id])
        parent = by_id[parent.span_id].parent
    return out


def test_one_turn_is_one_trace_with_nodes_http_calls_and_the_llm_call(
    client: TestClient, exporter: InMemorySpanExporter
) -> None:
    analyst = login(client, "analyst1")
    conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
    exporter.clear()
    r = analyst.post(
        f"/api/conversations/{conv}/messages", json={"message": get_scenario(SCENARIO).analyst_message}
    )
    assert r.status_code == 200 and "event: turn" in r.text
    spans = exporter.get_finished_spans()
    [http] = [s for s in spans if s.name == "POST /api/conversations/{conversation_id}/messages"]
    in_trace = [s for s in spans if s.context.trace_id == http.context.trace_id]
    by_id = {s.context.span_id: s for s in in_trace}
    below_http = [s for s in in_trace if http in _ancestors(s, by_id)]
    assert len(below_http) == len(in_trace) - 1  # everything else of the trace descends from the HTTP span

    [run] = [s for s in in_trace if s.name == "agent run"]
    [graph] = [s for s in in_trace if s.name == "LangGraph"]
    assert graph.parent is not None and graph.parent.span_id == run.context.span_id
    nodes = {
        s.name: s for s in in_trace if s.parent is not None and s.parent.span_id == graph.context.span_id
    }
    ran = {"intake", "triage", "classify", "plan", "execute_reads", "propose", "findings", "answer"}
    assert ran <= set(nodes), sorted(nodes)
    assert all(nodes[n].attributes.get(KIND) == "CHAIN" for n in ran)

    # The payments API calls: OpenTelemetry httpx client spans, each under the node that made it.
    calls = [s for s in in_trace if s.kind == SpanKind.CLIENT and s.attributes.get("http.method")]
    assert len(calls) >= 3, [s.name for s in in_trace]
    callers = set()
    for call in calls:
        [node] = [
            a for a in _ancestors(call, by_id) if a.parent and a.parent.span_id == graph.context.span_id
        ]
        callers.add(node.name)
    assert "triage" in callers and callers <= ran, callers
    paths = {str(c.attributes.get("http.url")) for c in calls}
    assert any("/v1/payments/" in p for p in paths), paths
    # ... and the payments API (mounted in process here) continues the trace from their traceparent.
    served = [s for s in in_trace if s.kind == SpanKind.SERVER and s.name.startswith("GET /v1/payments/")]
    assert served and all(by_id[s.parent.span_id] in calls for s in served if s.parent)
    # The chat-model call, under the answer node, its prompt text hidden from the trace.
    [llm] = [s for s in in_trace if s.attributes.get(KIND) == "LLM"]
    assert llm.name == "llm answer" and llm.parent is not None
    assert llm.parent.span_id == nodes["answer"].context.span_id
    metadata = json.loads(str(llm.attributes["metadata"]))
    assert metadata["payinvest.prompt"] == "answer" and metadata["payinvest.prompt_version"] == "v3"
    assert not any("never arrived" in str(v) for s in in_trace for v in s.attributes.values())
