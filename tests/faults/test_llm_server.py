"""The LLM server hanging, dropping connections or killed, on the real HTTP path: the agent's OpenAI-compatible
provider points at a fake server on 127.0.0.1. The turn ends within the configured timeout with a findings-only
answer the analyst sees, an approval still executes (once) with the outcome lines as its reply, and the same
conversation gets the model's answer again once the server is back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from agent.config import AgentConfig
from agent.service import AgentService
from app.server import create_app
from core.settings import Settings
from tests.agent.fakes import FakeClassifier, FakePaymentPort, payment, sop_hit
from tests.app.fakes import fast_hasher
from tests.app.real_agent import UETR_STUCK, SectionRetriever
from tests.faults.app_server import serve_app, sse_events
from tests.faults.llm_server import FakeLlmServer, fake_llm
from tests.servers import logged_in_client as client

pytestmark = pytest.mark.slow
QUESTION = f"Customer says {UETR_STUCK} never arrived"
REPLY = "The payment is at BNPAFRPPXXX with ACSP/G002 [E2]; per [SOP-002 §3] send a claim."
TIMEOUT_S = 2.0
BOUND_S = TIMEOUT_S + 8  # the timeout plus the rest of a scripted-speed turn on a busy 2-core machine


def _app(llm: FakeLlmServer, tmp_path: Path) -> tuple[Any, FakePaymentPort]:
    settings = Settings(
        data_dir=tmp_path / "data",
        llm_provider="openai",
        openai_base_url=llm.base_url,
        openai_api_key="test-key",
        openai_model="fake-model",
    )
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    port = FakePaymentPort(tmp_path / "actions.db", [payment("PAY-00000001", UETR_STUCK)])
    retriever = SectionRetriever(
        [
            sop_hit(
                "SOP-002", "3", "If the tracker shows ACSP/G002 at an intermediary, send camt.110 CCNR.", []
            )
        ]
    )
    config = AgentConfig(answer_timeout_s=TIMEOUT_S)
    app.state.agent_service = AgentService(
        settings,
        systems=port,
        retriever=retriever,
        audit=app.state.audit,
        config=config,
        classifier=FakeClassifier(),
    )
    app.state.retriever, app.state.case_reader = retriever, port.read
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    return app, port


def _break(llm: FakeLlmServer, fault: str) -> None:
    if fault == "killed":
        llm.kill()
    else:
        llm.mode = fault  # type: ignore[assignment]


def _mend(llm: FakeLlmServer, fault: str) -> None:
    if fault == "killed":
        llm.start()  # the server is back on the same port
    llm.release.set()
    llm.mode = "answer"


def _turn(analyst: Any, conv: str) -> tuple[list[str], dict[str, Any], float]:
    started = time.monotonic()
    r = analyst.post(f"/api/conversations/{conv}/messages", json={"message": QUESTION})
    elapsed = time.monotonic() - started
    assert r.status_code == 200, r.text
    events = sse_events(r.text)
    return [t for t, _ in events], events[-2][1], elapsed


@pytest.mark.parametrize("fault", ["hang", "close", "killed"])
def test_llm_fault_gives_a_findings_answer_and_the_thread_goes_on(tmp_path: Path, fault: str) -> None:
    with fake_llm(REPLY) as llm:
        app, port = _app(llm, tmp_path)
        with serve_app(app) as base:
            analyst, supervisor = client(base, "analyst1"), client(base, "supervisor1")
            conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
            _, first, _ = _turn(analyst, conv)  # the model answers (and the service is warm)
            assert first["answer"].startswith("The payment is at BNPAFRPPXXX"), first["answer"]
            _break(llm, fault)

            types, turn, elapsed = _turn(analyst, conv)
            assert "error" not in types and types[-2:] == ["turn", "done"], types
            assert elapsed < BOUND_S, elapsed
            answer = turn["answer"]
            reason = (
                f"the model did not answer within {TIMEOUT_S:g} s"
                if fault == "hang"
                else "the model call failed"
            )
            assert answer.startswith(f"(No model reply: {reason}.) What the lookups show:"), answer
            assert "G002" in answer  # the findings are there
            assert turn["llm_calls"][-1]["ok"] is False
            [proposal] = turn["proposals"]

            # An approval while the model is still out: executed, the outcome lines are the reply.
            assert analyst.post(f"/api/conversations/{conv}/submit").status_code == 200
            started = time.monotonic()
            decision = {"decisions": [{"proposal_id": proposal["id"], "action": "approve"}]}
            r = supervisor.post(f"/api/approvals/{conv}/decide", json=decision)
            assert r.status_code == 200, r.text
            assert time.monotonic() - started < BOUND_S
            result = r.json()["result"]
            assert result["proposals"][0]["status"] == "executed"
            assert result["answer"].startswith("Outcome of the proposed actions:")
            assert f"{proposal['id']}: the investigation request" in result["answer"], result["answer"]
            assert "was approved by supervisor1 and carried out" in result["answer"], result["answer"]

            # The server is back: the same conversation gets the model's (verified) answer.
            _mend(llm, fault)
            types, turn, _ = _turn(analyst, conv)
            assert "error" not in types, types
            assert turn["answer"].startswith("The payment is at BNPAFRPPXXX"), turn["answer"]
            assert turn["llm_calls"][-1]["ok"] is True
            thread = analyst.get(f"/api/conversations/{conv}").json()["thread"]
            assert [t["turn"] for t in thread["turns"]] == [1, 2, 3]
            assert thread["turns"][1]["result"]["answer"] == answer  # the answer stayed as it was shown
        assert [row[1] for row in port.action_rows()] == [proposal["idempotency_key"]]
        assert app.state.audit.verify().ok
        print(f"\n{fault}: findings-only turn in {elapsed:.1f} s, {llm.requests} requests reached the server")
