"""Shadow champion-challenger: a routed first turn also runs on the challenger release, unseen and inert,
and the audited pair reaches the monitor's comparison."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from agent.config import AgentConfig
from agent.service import AgentService
from agent.shadow import SHADOW_EVENT, ShadowRunner, ShadowStore, challenger_config, routed
from core.audit import AuditLog
from core.releases import ReleaseStore
from core.schema import open_app_db
from core.settings import Settings
from evals.monitor import monitor_report
from tests.agent.conftest import sample_hits, sample_payments
from tests.agent.fakes import (
    FakeClassifier,
    FakePaymentPort,
    ListRetriever,
    ScriptedChatModel,
    default_script,
)

MESSAGE = "Customer says PAY-00000001 never arrived, please chase"


def _report(path: Path, agent: dict[str, Any]) -> Path:
    """A gated eval report: a challenger configuration, and analyst turns the monitor can use as reference."""
    turns = [{"role": "analyst", "case_type": "claim_non_receipt", "llm_calls": 1, "latency_s": 3.0}]
    report = {
        "gate": {"passed": True},
        "manifest": {"git_commit": path.stem, "prompt_versions": {"answer": "v2"}},
        "config": {"name": path.stem, "agent": agent, "retrieval": {"k": 3}},
        "scenarios": [{"case_type": "claim_non_receipt", "trajectory": {"turns": turns}}],
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Any]:
    data = tmp_path / "data"
    engine = open_app_db(Settings(data_dir=data).app_db_url)
    audit = AuditLog(engine)
    challenger = ReleaseStore(engine, audit).register(
        _report(tmp_path / "challenger.json", {"planner": "llm"}), actor="admin1"
    )
    port = FakePaymentPort(tmp_path / "payments-actions.db", sample_payments())
    return {
        "data": data,
        "engine": engine,
        "audit": audit,
        "challenger": challenger,
        "port": port,
        "tmp": tmp_path,
    }


def _service(env: dict[str, Any], share: float) -> AgentService:
    settings = Settings(data_dir=env["data"], shadow_release=env["challenger"].id, shadow_share=share)
    return AgentService(
        settings,
        chat_model=ScriptedChatModel(script=default_script()),
        systems=env["port"],
        retriever=ListRetriever(sample_hits()),
        audit=env["audit"],
        classifier=FakeClassifier(),
        shadow=ShadowRunner.from_settings(settings, env["engine"], AgentConfig(), env["audit"]),
    )


async def test_a_shadowed_turn_records_both_sides_and_creates_nothing(env: dict[str, Any]) -> None:
    service = _service(env, share=1.0)
    assert service.shadow is not None and service.shadow.config.planner == "llm"
    assert service.shadow.config.retrieval_k == 3
    try:
        result = await service.ask(MESSAGE, user="analyst1")
        await service.shadow.drain()
    finally:
        await service.aclose()
    assert [p["kind"] for p in result.proposals] == ["investigation"]  # the champion's, shown as always

    audit: AuditLog = env["audit"]
    [pair] = audit.events(event_type=SHADOW_EVENT)
    assert pair.conversation_id == result.thread_id and pair.actor == "system"
    champion, challenger = pair.payload["champion"], pair.payload["challenger"]
    assert challenger["release_id"] == env["challenger"].id and champion["release_id"] == result.release_id
    assert challenger["case_type"] == champion["case_type"] == "claim_non_receipt"
    assert challenger["proposals"] == champion["proposals"] == ["investigation:CCNR"]
    assert challenger["latency_ms"] > 0 and challenger["answer"]

    # Nothing of the shadow run is a proposal, an audit event of its own, or an action.
    rows = service.store.list_proposals()
    assert {r["thread_id"] for r in rows} == {result.thread_id} and len(rows) == 1
    events = audit.events()
    assert {e.conversation_id for e in events} <= {result.thread_id, None}
    assert len([e for e in events if e.event_type == "agent.proposals"]) == 1
    assert len([e for e in events if e.event_type == "agent.answer"]) == 1
    assert env["port"].action_rows() == []

    since = datetime.now(UTC) - timedelta(hours=1)
    report = monitor_report(env["engine"], since, reference=env["tmp"] / "challenger.json")
    [compared] = report["shadow"]["challengers"]
    assert compared["release_id"] == env["challenger"].id and compared["turns"] == 1
    assert compared["case_type_agreement"] == 1.0 and compared["proposal_agreement"] == 1.0
    assert compared["challenger_latency"]["p50_ms"] > 0 and compared["errors"] == 0


async def test_only_routed_first_turns_are_shadowed(env: dict[str, Any]) -> None:
    service = _service(env, share=1.0)
    try:
        first = await service.ask(MESSAGE, user="analyst1")
        await service.ask("and what are the charges?", thread_id=first.thread_id, user="analyst1")
        await service.shadow.drain()  # type: ignore[union-attr]
    finally:
        await service.aclose()
    assert len(env["audit"].events(event_type=SHADOW_EVENT)) == 1  # the follow-up is not shadowed
    off = _service(env, share=0.0)
    assert off.shadow is None
    await off.aclose()
    assert not routed("conv-x", 0.0) and routed("conv-x", 1.0)
    assert sum(routed(f"conv-{i}", 0.25) for i in range(400)) in range(70, 130)  # about a quarter


async def test_a_failing_challenger_is_recorded_and_the_champion_unaffected(env: dict[str, Any]) -> None:
    service = _service(env, share=1.0)
    runner = service.shadow
    assert runner is not None
    runner._graph = _Broken()
    try:
        result = await service.ask(MESSAGE, user="analyst1")
        await runner.drain()
    finally:
        await service.aclose()
    assert result.status == "awaiting_approval"
    [pair] = env["audit"].events(event_type=SHADOW_EVENT)
    assert "RuntimeError" in pair.payload["challenger"]["error"]


class _Broken:
    async def astream(self, *_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("challenger down")
        yield  # an async generator


def test_the_shadow_store_refuses_everything_but_keeping_proposals() -> None:
    store = ShadowStore()
    assert store.add_proposal({"id": "p1", "kind": "recall"})
    assert store.get_proposal("p1") == {"id": "p1", "kind": "recall"}
    with pytest.raises(RuntimeError, match="transition"):
        store.transition("p1", expected=("proposed",), status="submitted")


def test_an_unknown_shadow_release_turns_shadowing_off(env: dict[str, Any]) -> None:
    settings = Settings(data_dir=env["data"], shadow_release="rel-unknown", shadow_share=0.5)
    assert ShadowRunner.from_settings(settings, env["engine"], AgentConfig(), env["audit"]) is None
    config = challenger_config(env["challenger"], AgentConfig(answer_max_tokens=64))
    assert config.answer_max_tokens == 64 and config.prompt_versions["answer"] == "v2"
