"""The registry contract: read tools by name, drafts and approved writes, and the LangChain wrappers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select

from core.domain import ActionKind
from core.settings import Settings
from sandbox.schema import holds
from tests.approvals import sign_ref
from tests.sandbox_api.factories import sandbox_systems
from tools import errors
from tools.langchain_tools import build_read_tools
from tools.registry import (
    ACTION_ARG_MODELS,
    READ_TOOL_NAMES,
    PaymentSystems,
    call_read_tool,
    draft_action,
    execute_action,
)

READ_CALLS: dict[str, dict[str, Any]] = {
    "get_payment": {"reference": "PAY-00000001"},
    "search_payments": {"currency": "EUR", "amount_min": 1000},
    "get_tracker": {"reference": "E2E-TEST000002"},
    "get_screening": {"reference": "PAY-00000005"},
    "get_account": {"account": "DE89370400440532013000"},
    "verify_payee": {"account": "DE89370400440532013000", "name": "Muller Maschinenbau"},
    "find_duplicates": {"reference": "PAY-00000001"},
    "get_cases": {"reference": "PAY-00000002"},
    "get_case": {"case_id": "CASE-000001"},
    "get_calendar": {"currency": "EUR", "date": "2026-11-20"},
    "get_sla": {"case_type": "claim_non_receipt", "start": "2026-11-20"},
    "get_fx_rate": {"base": "EUR", "quote": "USD", "date": "2026-11-05"},
    "compute_compensation": {"reference": "PAY-00000001", "corrected_value_date": "2026-10-30"},
    "get_risk_signals": {"reference": "PAY-00000001"},
}


def test_contract_names() -> None:
    required = {
        "get_payment", "search_payments", "get_tracker", "get_screening", "get_account", "verify_payee",
        "find_duplicates", "get_cases", "get_case", "get_calendar", "get_fx_rate", "compute_compensation", "get_risk_signals",
    }  # fmt: skip
    assert required <= set(READ_TOOL_NAMES)
    assert set(READ_CALLS) == set(READ_TOOL_NAMES)
    assert set(ACTION_ARG_MODELS) == set(ActionKind)


@pytest.mark.parametrize("name", sorted(READ_CALLS))
async def test_every_read_tool_returns_json(systems: PaymentSystems, name: str) -> None:
    result = await call_read_tool(systems, name, READ_CALLS[name])
    assert isinstance(result, dict) and result
    import json

    json.dumps(result)  # JSON-safe


@pytest.mark.parametrize(
    ("name", "args", "error"),
    [
        ("get_payment", {"reference": "abc"}, errors.InvalidInput),
        ("get_payment", {}, errors.InvalidInput),
        ("get_payment", {"reference": "PAY-00000001", "extra": 1}, errors.InvalidInput),
        ("get_payment", {"reference": "PAY-99999999"}, errors.PaymentNotFound),
        ("search_payments", {"amount_min": -1}, errors.InvalidInput),
        ("get_fx_rate", {"base": "EUR", "quote": "USD", "date": "2020-01-01"}, errors.FxRateNotFound),
        ("delete_everything", {}, errors.UnknownTool),
    ],
)
async def test_read_tool_errors(
    systems: PaymentSystems, name: str, args: dict[str, Any], error: type
) -> None:
    with pytest.raises(error):
        await call_read_tool(systems, name, args)


async def test_draft_and_execute(settings: Settings, systems: PaymentSystems, engine: Engine) -> None:
    args = {"reference": "PAY-00000005", "reason": "cleared by compliance"}
    draft = await draft_action(systems, ActionKind.RELEASE_HOLD, args)
    assert draft["message_type"] is None
    with engine.connect() as conn:
        assert conn.execute(select(holds.c.status)).scalar() == "active"
    done = await execute_action(
        systems, ActionKind.RELEASE_HOLD, args, idempotency_key="p-1",
        approval_ref=sign_ref(settings, "release_hold", args, "p-1"),
    )  # fmt: skip
    assert done["effects"]["hold_status"] == "released" and done["replayed"] is False
    again = await execute_action(
        systems, ActionKind.RELEASE_HOLD, args, idempotency_key="p-1",
        approval_ref=sign_ref(settings, "release_hold", args, "p-1"),
    )  # fmt: skip
    assert again["replayed"] is True
    with pytest.raises(errors.InvalidInput):
        await execute_action(
            systems, ActionKind.RECALL, {"reference": "PAY-00000001"}, idempotency_key="p-2", approval_ref="A"
        )
    with pytest.raises(errors.InvalidInput):
        await draft_action(systems, "explode", {})  # type: ignore[arg-type]
    recall = await draft_action(
        systems, ActionKind.RECALL, {"reference": "PAY-00000001", "reason_code": "FRAD"}
    )
    assert recall["xsd_validated"] is True and "<Cd>FRAD</Cd>" in recall["xml"]


async def test_from_settings_mounts_the_sandbox(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sandbox.schema import get_payments_engine
    from tests.sandbox_api.factories import seed_small

    settings = Settings(data_dir=tmp_path / "data")
    seed_small(get_payments_engine(settings.payments_db_url))
    systems = sandbox_systems(settings)
    try:
        assert (await call_read_tool(systems, "get_payment", {"reference": "PAY-00000003"}))[
            "status"
        ] == "RJCT"
    finally:
        await systems.aclose()


async def test_langchain_tools(systems: PaymentSystems) -> None:
    tools = {t.name: t for t in build_read_tools(systems)}
    assert set(tools) == set(READ_TOOL_NAMES)
    schema = tools["get_payment"].args["reference"]
    assert "pattern" in schema and len(tools["get_payment"].description) < 120
    result = await tools["get_tracker"].ainvoke({"reference": "PAY-00000002"})
    assert result["summary"]["status_reason"] == "G002"
    missing = await tools["get_payment"].ainvoke({"reference": "PAY-99999999"})
    assert missing["error"]["code"] == "payment_not_found"
    message = await tools["get_calendar"].ainvoke(
        {
            "type": "tool_call",
            "id": "call-1",
            "name": "get_calendar",
            "args": {"currency": "EUR", "date": "2026-12-25"},
        }
    )
    assert '"is_business_day": false' in message.content or "'is_business_day': False" in message.content
