"""Fixtures of the agent tests: scripted model, fake payments port, list retriever, an AgentService factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from agent.approvals import Principal
from agent.config import AgentConfig
from agent.service import AgentService
from core.settings import Settings
from tests.agent.fakes import (
    FakeClassifier,
    FakePaymentPort,
    ListRetriever,
    ScriptedChatModel,
    default_script,
    payment,
    sop_hit,
)

UETR_STUCK = "97ed4827-7b6f-4491-a06f-b548d5a7512d"
UETR_DUP = "3c1f2a9e-5b7d-4e2a-9c4b-1d2e3f4a5b6c"
UETR_DONE = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

SUPERVISOR = Principal(username="supervisor1", role="supervisor", approval_limit_eur=100_000)
SUPERVISOR2 = Principal(username="supervisor2", role="supervisor", approval_limit_eur=5_000_000)


def sample_payments() -> list[dict[str, Any]]:
    return [
        payment("PAY-00000001", UETR_STUCK),
        payment("PAY-00000002", UETR_DUP, status="ACCC", reason=None, duplicates=["PAY-00000009"]),
        payment("PAY-00000003", UETR_DONE, status="ACCC", reason=None),
        payment("PAY-00000004", "5d6e7f80-1a2b-4c3d-8e4f-5a6b7c8d9e0f", amount=250_000, currency="USD"),
    ]


def sample_hits() -> list[dict[str, Any]]:
    return [
        sop_hit(
            "SOP-002",
            "3",
            "If the tracker shows ACSP/G002 at an intermediary, send camt.110 CCNR.",
            ["claim_non_receipt", "status_chaser"],
        ),
        sop_hit(
            "SOP-004",
            "2",
            "Recall a duplicate with camt.056 reason DUPL after confirming the duplicate.",
            ["duplicate", "cancellation_recall"],
        ),
    ]


@pytest.fixture
def port(tmp_path: Path) -> FakePaymentPort:
    return FakePaymentPort(tmp_path / "payments-actions.db", sample_payments())


@pytest.fixture
def retriever() -> ListRetriever:
    return ListRetriever(sample_hits())


@pytest.fixture
def make_service(
    settings: Settings, port: FakePaymentPort, retriever: ListRetriever
) -> Callable[..., AgentService]:
    services: list[AgentService] = []

    def factory(
        script: Any = None,
        *,
        audit: Any = None,
        config: AgentConfig | None = None,
        model: ScriptedChatModel | None = None,
        classifier: Any = None,
        **kw: Any,
    ) -> AgentService:
        chat = model or ScriptedChatModel(script=script or default_script())
        service = AgentService(
            settings,
            chat_model=chat,
            systems=kw.get("systems", port),
            retriever=kw.get("retriever", retriever),
            audit=audit,
            config=config,
            classifier=classifier or FakeClassifier(),
        )
        services.append(service)
        return service

    yield factory  # type: ignore[misc]


@pytest.fixture
async def cleanup() -> AsyncIterator[list[AgentService]]:
    opened: list[AgentService] = []
    yield opened
    for service in opened:
        await service.aclose()
